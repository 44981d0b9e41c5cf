// The filters of chat templates ("x | trim", "xs | map(attribute='name') | join(', ')", ...),
// as Jinja2 defines them, with tojson as transformers does.
#include "jinja_builtins.h"
#include "jinja_builtins_internal.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace slim::tok::jinja {

using namespace detail;

namespace {

// Attribute of an item for selectattr/map/join/sort: dotted paths and integer indices.
Value attributeOf(const Value &item, const std::string &path)
{
    Value current = item;
    size_t start = 0;
    while (start <= path.size()) {
        const auto dot = path.find('.', start);
        const auto part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (current.isDict())
            current = current.get(part);
        else if (current.isList() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit))
            current = std::stoul(part) < current.list().size() ? current.list()[std::stoul(part)]
                                                               : Value::undefined(part);
        else
            current = Value::undefined(part);
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return current;
}

Args shiftArgs(const Args &args, size_t n)
{
    Args rest;
    if (args.positional.size() > n)
        rest.positional.assign(args.positional.begin() + long(n), args.positional.end());
    rest.keywords = args.keywords;
    return rest;
}

std::string indentText(const std::string &s, const Value &width, bool first, bool blank)
{
    const std::string pad = width.isString() ? width.str() : std::string(size_t(width.isUndefined() ? 4 : width.integer()), ' ');
    std::string out;
    size_t start = 0;
    bool isFirst = true;
    while (start <= s.size()) {
        const auto nl = s.find('\n', start);
        const auto line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if ((isFirst ? first : true) && (blank || !line.empty()))
            out += pad;
        out += line;
        if (nl == std::string::npos)
            break;
        out += '\n';
        start = nl + 1;
        isFirst = false;
    }
    return out;
}

} // namespace

Value applyFilter(const std::string &name, const Value &value, const Args &args)
{
    if (name == "trim")
        return stripChars(needString(value, "trim"), args.at(0, "chars"), true, true);
    if (name == "length" || name == "count") {
        if (value.isString())
            return int64_t(toU32(value.str()).size());
        if (value.isList())
            return int64_t(value.list().size());
        if (value.isDict())
            return int64_t(value.dict().size());
        if (value.isUndefined())
            return int64_t(0);
        typeError("object of type '" + typeName(value) + "' has no len()");
    }
    if (name == "tojson") {
        const auto indent = args.at(0, "indent");
        return toJson(value, indent.isInt() ? int(indent.integer()) : -1,
                      truthy(args.at(99, "sort_keys", false)));
    }
    if (name == "upper")
        return mapCase(needString(value, "upper"), true);
    if (name == "lower")
        return mapCase(needString(value, "lower"), false);
    if (name == "title")
        return titleCase(needString(value, "title"));
    if (name == "capitalize")
        return capitalize(needString(value, "capitalize"));
    if (name == "string")
        return toStr(value);
    if (name == "safe" || name == "e" || name == "escape" || name == "forceescape")
        return name == "safe" ? value : Value(toStr(value)); // no HTML escaping in chat templates
    if (name == "default" || name == "d") {
        const bool boolean = truthy(args.at(1, "boolean", false));
        const bool useDefault = value.isUndefined() || (boolean && !truthy(value));
        return useDefault ? args.at(0, "default_value", Value("")) : value;
    }
    if (name == "first" || name == "last") {
        const auto items = listOf(value, name);
        if (items.empty())
            return Value::undefined(name);
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list")
        return listOf(value, "list");
    if (name == "items") {
        if (!value.isDict())
            typeError("items expects a mapping, got " + typeName(value));
        return itemsOf(value);
    }
    if (name == "reverse") {
        if (value.isString()) {
            auto text = toU32(value.str());
            std::reverse(text.begin(), text.end());
            return fromU32(text);
        }
        auto items = listOf(value, "reverse");
        std::reverse(items.begin(), items.end());
        return items;
    }
    if (name == "join") {
        const auto separator = args.at(0, "d", Value(""));
        const auto attribute = args.at(1, "attribute");
        std::string out;
        bool first = true;
        for (const auto &item : listOf(value, "join")) {
            out += (first ? "" : toStr(separator))
                   + toStr(attribute.isString() ? attributeOf(item, attribute.str()) : item);
            first = false;
        }
        return out;
    }
    if (name == "replace") {
        const auto count = args.at(2, "count");
        return replaceAll(needString(value, "replace"), needString(args.at(0, "old"), "replace"),
                          toStr(args.at(1, "new")), count.isInt() ? count.integer() : -1);
    }
    if (name == "int") {
        if (value.isNumber() || value.isBool())
            return int64_t(value.number());
        try {
            return int64_t(std::stoll(stripChars(toStr(value), {}, true, true)));
        } catch (const std::exception &) {
            return args.at(0, "default", int64_t(0));
        }
    }
    if (name == "float") {
        if (value.isNumber() || value.isBool())
            return value.number();
        try {
            return std::stod(toStr(value));
        } catch (const std::exception &) {
            return args.at(0, "default", 0.0);
        }
    }
    if (name == "abs") {
        if (value.isInt())
            return int64_t(std::llabs(value.integer()));
        return std::fabs(value.number());
    }
    if (name == "round") {
        const auto precision = args.at(0, "precision", int64_t(0)).integer();
        const double scale = std::pow(10.0, double(precision));
        return std::nearbyint(value.number() * scale) / scale;
    }
    if (name == "indent")
        return indentText(toStr(value), args.at(0, "width"), truthy(args.at(1, "first", false)),
                          truthy(args.at(2, "blank", false)));
    if (name == "unique") {
        List out;
        for (const auto &item : listOf(value, "unique")) {
            if (std::none_of(out.begin(), out.end(), [&](const Value &o) { return equal(o, item); }))
                out.push_back(item);
        }
        return out;
    }
    if (name == "sort" || name == "dictsort") {
        auto items = name == "dictsort" ? itemsOf(value) : listOf(value, "sort");
        const bool reverse = truthy(args.at(name == "sort" ? 0 : 2, "reverse", false));
        const auto attribute = args.at(name == "sort" ? 2 : 99, "attribute");
        std::stable_sort(items.begin(), items.end(), [&](const Value &a, const Value &b) {
            const auto x = attribute.isString() ? attributeOf(a, attribute.str()) : name == "dictsort" ? a.list()[0] : a;
            const auto y = attribute.isString() ? attributeOf(b, attribute.str()) : name == "dictsort" ? b.list()[0] : b;
            return reverse ? less(y, x) : less(x, y);
        });
        return items;
    }
    if (name == "map") {
        List out;
        const auto attribute = args.at(99, "attribute");
        for (const auto &item : listOf(value, "map")) {
            if (attribute.isString()) {
                auto v = attributeOf(item, attribute.str());
                out.push_back(v.isUndefined() ? args.at(99, "default") : v);
            } else {
                out.push_back(applyFilter(needString(args.at(0, ""), "map"), item, shiftArgs(args, 1)));
            }
        }
        return out;
    }
    if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
        const bool byAttribute = name == "selectattr" || name == "rejectattr";
        const bool keep = name == "select" || name == "selectattr";
        const size_t testIndex = byAttribute ? 1 : 0;
        List out;
        for (const auto &item : listOf(value, name)) {
            const auto subject = byAttribute ? attributeOf(item, needString(args.at(0, ""), name)) : item;
            const auto test = args.at(testIndex, "");
            const bool passed = test.isUndefined() ? truthy(subject)
                                                   : applyTest(needString(test, name), subject,
                                                               shiftArgs(args, testIndex + 1));
            if (passed == keep)
                out.push_back(item);
        }
        return out;
    }
    typeError("unsupported filter '" + name + "'");
}

} // namespace slim::tok::jinja
