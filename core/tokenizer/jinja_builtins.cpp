#include "jinja_builtins.h"

#include "tokenizer_error.h"
#include "unicode_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace slim::tok::jinja {

namespace {

[[noreturn]] void typeError(const std::string &message)
{
    throw TokenizerError(message);
}

const std::string &needString(const Value &v, const std::string &what)
{
    if (!v.isString())
        typeError(what + " expects a string, got " + typeName(v));
    return v.str();
}

bool isPythonSpace(char32_t c)
{
    return isWhitespace(c) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F;
}

// Python's str.strip / lstrip / rstrip with optional characters.
std::string stripChars(const std::string &s, const Value &chars, bool left, bool right)
{
    const auto text = toU32(s);
    const bool whitespace = chars.isUndefined() || chars.isNone();
    const auto set = whitespace ? std::u32string() : toU32(needString(chars, "strip"));
    const auto strip = [&](char32_t c) {
        return whitespace ? isPythonSpace(c) : set.find(c) != std::u32string::npos;
    };
    size_t begin = 0, end = text.size();
    while (left && begin < end && strip(text[begin]))
        ++begin;
    while (right && end > begin && strip(text[end - 1]))
        --end;
    return fromU32(text.substr(begin, end - begin));
}

Value split(const std::string &s, const Value &sep, const Value &maxSplit)
{
    List parts;
    int64_t remaining = maxSplit.isInt() ? maxSplit.integer() : -1;
    if (sep.isUndefined() || sep.isNone()) { // runs of whitespace, no empty parts
        const auto text = toU32(s);
        size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && isPythonSpace(text[i]))
                ++i;
            if (i >= text.size())
                break;
            if (remaining == 0) {
                auto rest = text.substr(i);
                while (!rest.empty() && isPythonSpace(rest.back()))
                    rest.pop_back();
                parts.push_back(fromU32(rest));
                break;
            }
            size_t j = i;
            while (j < text.size() && !isPythonSpace(text[j]))
                ++j;
            parts.push_back(fromU32(text.substr(i, j - i)));
            --remaining;
            i = j;
        }
        return parts;
    }
    const auto &separator = needString(sep, "split");
    if (separator.empty())
        typeError("empty separator");
    size_t previous = 0;
    for (size_t pos; remaining != 0 && (pos = s.find(separator, previous)) != std::string::npos; --remaining) {
        parts.push_back(s.substr(previous, pos - previous));
        previous = pos + separator.size();
    }
    parts.push_back(s.substr(previous));
    return parts;
}

std::string replaceAll(const std::string &s, const std::string &from, const std::string &to,
                       int64_t count)
{
    if (from.empty()) { // Python inserts `to` between characters
        std::string out;
        const auto text = toU32(s);
        for (size_t i = 0; i <= text.size(); ++i) {
            if (count < 0 || int64_t(i) < count)
                out += to;
            if (i < text.size())
                appendChar(out, text[i]);
        }
        return out;
    }
    std::string out;
    size_t previous = 0;
    for (size_t pos; count != 0 && (pos = s.find(from, previous)) != std::string::npos; --count) {
        out.append(s, previous, pos - previous).append(to);
        previous = pos + from.size();
    }
    return out.append(s, previous);
}

std::string mapCase(const std::string &s, bool upper)
{
    std::string out;
    for (const char32_t c : toU32(s))
        appendChar(out, char32_t(upper ? utf8proc_toupper(utf8proc_int32_t(c))
                                       : utf8proc_tolower(utf8proc_int32_t(c))));
    return out;
}

std::string titleCase(const std::string &s)
{
    std::string out;
    bool previousCased = false;
    for (const char32_t c : toU32(s)) {
        const bool cased = utf8proc_tolower(utf8proc_int32_t(c)) != utf8proc_int32_t(c)
                           || utf8proc_toupper(utf8proc_int32_t(c)) != utf8proc_int32_t(c);
        appendChar(out, char32_t(previousCased ? utf8proc_tolower(utf8proc_int32_t(c))
                                               : utf8proc_toupper(utf8proc_int32_t(c))));
        previousCased = cased;
    }
    return out;
}

std::string capitalize(const std::string &s)
{
    auto text = toU32(s);
    std::string out;
    for (size_t i = 0; i < text.size(); ++i)
        appendChar(out, char32_t(i == 0 ? utf8proc_toupper(utf8proc_int32_t(text[i]))
                                        : utf8proc_tolower(utf8proc_int32_t(text[i]))));
    return out;
}

bool matchesAffix(const std::string &s, const Value &affix, bool prefix)
{
    const auto one = [&](const std::string &a) {
        return a.size() <= s.size()
               && (prefix ? s.compare(0, a.size(), a) == 0
                          : s.compare(s.size() - a.size(), a.size(), a) == 0);
    };
    if (affix.isList()) {
        for (const auto &a : affix.list()) {
            if (one(needString(a, prefix ? "startswith" : "endswith")))
                return true;
        }
        return false;
    }
    return one(needString(affix, prefix ? "startswith" : "endswith"));
}

std::shared_ptr<Callable> bound(std::string name, std::function<Value(const Args &)> f)
{
    return std::make_shared<Callable>(Callable{std::move(name), std::move(f)});
}

List itemsOf(const Value &dict)
{
    List items;
    for (const auto &[k, v] : dict.dict())
        items.push_back(List{Value(k), v});
    return items;
}

List listOf(const Value &value, const std::string &what)
{
    if (value.isList())
        return value.list();
    if (value.isDict()) {
        List keys;
        for (const auto &[k, v] : value.dict())
            keys.push_back(k);
        return keys;
    }
    if (value.isString()) {
        List chars;
        for (const char32_t c : toU32(value.str()))
            chars.push_back(fromU32(std::u32string(1, c)));
        return chars;
    }
    if (value.isUndefined())
        return {};
    typeError("'" + typeName(value) + "' object is not iterable (" + what + ")");
}

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

bool hasTest(const std::string &name)
{
    static const std::vector<std::string> names = {
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean",
        "true", "false", "mapping", "iterable", "sequence", "callable", "odd", "even",
        "divisibleby", "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">",
        "ge", ">=", "sameas", "in", "lower", "upper"};
    return std::find(names.begin(), names.end(), name) != names.end();
}

bool applyTest(const std::string &name, const Value &value, const Args &args)
{
    const auto arg = args.at(0, "value");
    if (name == "defined")
        return !value.isUndefined();
    if (name == "undefined")
        return value.isUndefined();
    if (name == "none")
        return value.isNone();
    if (name == "string")
        return value.isString();
    if (name == "number")
        return value.isNumber();
    if (name == "integer")
        return value.isInt();
    if (name == "float")
        return value.isFloat();
    if (name == "boolean")
        return value.isBool();
    if (name == "true")
        return value.isBool() && std::get<bool>(value.v);
    if (name == "false")
        return value.isBool() && !std::get<bool>(value.v);
    if (name == "mapping")
        return value.isDict();
    if (name == "iterable")
        return value.isList() || value.isDict() || value.isString();
    if (name == "sequence")
        return value.isList() || value.isDict() || value.isString();
    if (name == "callable")
        return value.isCallable();
    if (name == "odd" || name == "even") {
        if (!value.isInt())
            typeError("test '" + name + "' expects an integer");
        return (value.integer() % 2 != 0) == (name == "odd");
    }
    if (name == "divisibleby")
        return arg.integer() != 0 && value.integer() % arg.integer() == 0;
    if (name == "equalto" || name == "eq" || name == "==" || name == "sameas")
        return equal(value, arg);
    if (name == "ne" || name == "!=")
        return !equal(value, arg);
    if (name == "lt" || name == "<")
        return less(value, arg);
    if (name == "le" || name == "<=")
        return !less(arg, value);
    if (name == "gt" || name == ">")
        return less(arg, value);
    if (name == "ge" || name == ">=")
        return !less(value, arg);
    if (name == "in") {
        if (arg.isString())
            return value.isString() && arg.str().find(value.str()) != std::string::npos;
        for (const auto &item : listOf(arg, "in"))
            if (equal(item, value))
                return true;
        return false;
    }
    if (name == "lower")
        return value.isString() && mapCase(value.str(), false) == value.str();
    if (name == "upper")
        return value.isString() && mapCase(value.str(), true) == value.str();
    typeError("unsupported test '" + name + "'");
}

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

Value methodOf(const Value &object, const std::string &name)
{
    if (object.isString()) {
        const auto s = object.str();
        if (name == "strip" || name == "lstrip" || name == "rstrip")
            return bound(name, [s, name](const Args &a) {
                return Value(stripChars(s, a.at(0, "chars"), name != "rstrip", name != "lstrip"));
            });
        if (name == "startswith" || name == "endswith")
            return bound(name, [s, name](const Args &a) {
                return Value(matchesAffix(s, a.at(0, "prefix"), name == "startswith"));
            });
        if (name == "split")
            return bound(name, [s](const Args &a) { return split(s, a.at(0, "sep"), a.at(1, "maxsplit")); });
        if (name == "upper" || name == "lower")
            return bound(name, [s, name](const Args &) { return Value(mapCase(s, name == "upper")); });
        if (name == "title")
            return bound(name, [s](const Args &) { return Value(titleCase(s)); });
        if (name == "capitalize")
            return bound(name, [s](const Args &) { return Value(capitalize(s)); });
        if (name == "replace")
            return bound(name, [s](const Args &a) {
                const auto count = a.at(2, "count");
                return Value(replaceAll(s, needString(a.at(0, "old"), "replace"),
                                        needString(a.at(1, "new"), "replace"),
                                        count.isInt() ? count.integer() : -1));
            });
        if (name == "find")
            return bound(name, [s](const Args &a) {
                const auto pos = s.find(needString(a.at(0, "sub"), "find"));
                return Value(pos == std::string::npos ? int64_t(-1)
                                                      : int64_t(toU32(s.substr(0, pos)).size()));
            });
        if (name == "count")
            return bound(name, [s](const Args &a) {
                const auto &sub = needString(a.at(0, "sub"), "count");
                int64_t n = 0;
                for (size_t pos = 0; !sub.empty() && (pos = s.find(sub, pos)) != std::string::npos; pos += sub.size())
                    ++n;
                return Value(n);
            });
        if (name == "join")
            return bound(name, [s](const Args &a) {
                std::string out;
                bool first = true;
                for (const auto &item : listOf(a.at(0, "iterable"), "join")) {
                    out += (first ? "" : s) + needString(item, "join");
                    first = false;
                }
                return Value(out);
            });
        if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum")
            return bound(name, [s, name](const Args &) {
                const auto text = toU32(s);
                if (text.empty())
                    return Value(false);
                for (const char32_t c : text) {
                    const auto cat = utf8proc_category(utf8proc_int32_t(c));
                    const bool alpha = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
                    const bool ok = name == "isdigit" ? cat == UTF8PROC_CATEGORY_ND
                                    : name == "isspace" ? isPythonSpace(c)
                                    : name == "isalpha" ? alpha
                                                        : alpha || isNumeric(c);
                    if (!ok)
                        return Value(false);
                }
                return Value(true);
            });
        return Value::undefined(name);
    }
    if (object.isDict()) {
        const auto dict = object;
        if (name == "items")
            return bound(name, [dict](const Args &) { return Value(itemsOf(dict)); });
        if (name == "keys" || name == "values")
            return bound(name, [dict, name](const Args &) {
                List out;
                for (const auto &[k, v] : dict.dict())
                    out.push_back(name == "keys" ? Value(k) : v);
                return Value(out);
            });
        if (name == "get")
            return bound(name, [dict](const Args &a) {
                const auto v = dict.get(toStr(a.at(0, "key")));
                return v.isUndefined() ? a.at(1, "default", None{}) : v;
            });
        return Value::undefined(name);
    }
    if (object.isList()) {
        if (name == "append" || name == "extend" || name == "pop" || name == "insert"
            || name == "remove" || name == "clear" || name == "sort" || name == "reverse")
            typeError("the chat template sandbox is immutable: list." + name + " is not allowed");
        if (name == "index" || name == "count") {
            const auto list = object;
            return bound(name, [list, name](const Args &a) {
                const auto target = a.at(0, "value");
                int64_t count = 0;
                for (size_t i = 0; i < list.list().size(); ++i) {
                    if (equal(list.list()[i], target)) {
                        if (name == "index")
                            return Value(int64_t(i));
                        ++count;
                    }
                }
                if (name == "index")
                    typeError(toRepr(target) + " is not in list");
                return Value(count);
            });
        }
    }
    return Value::undefined(name);
}

Dict builtinGlobals()
{
    Dict globals;
    globals.emplace_back("raise_exception", bound("raise_exception", [](const Args &a) -> Value {
                             throw TokenizerError("the chat template raised: " + toStr(a.at(0, "message")));
                         }));
    globals.emplace_back("strftime_now", bound("strftime_now", [](const Args &a) {
                             const std::time_t now = std::time(nullptr);
                             std::tm local{};
                             localtime_r(&now, &local);
                             char buffer[256];
                             const auto n = std::strftime(buffer, sizeof buffer,
                                                          needString(a.at(0, "format"), "strftime_now").c_str(), &local);
                             return Value(std::string(buffer, n));
                         }));
    globals.emplace_back("namespace", bound("namespace", [](const Args &a) {
                             Dict d;
                             if (!a.positional.empty() && a.positional[0].isDict())
                                 d = a.positional[0].dict();
                             for (const auto &kw : a.keywords)
                                 d.push_back(kw);
                             return Value(d);
                         }));
    globals.emplace_back("dict", bound("dict", [](const Args &a) { return Value(a.keywords); }));
    globals.emplace_back("range", bound("range", [](const Args &a) {
                             int64_t start = 0, stop = 0, step = 1;
                             if (a.positional.size() == 1)
                                 stop = a.positional[0].integer();
                             else if (a.positional.size() >= 2) {
                                 start = a.positional[0].integer();
                                 stop = a.positional[1].integer();
                                 if (a.positional.size() > 2)
                                     step = a.positional[2].integer();
                             }
                             if (step == 0)
                                 typeError("range() arg 3 must not be zero");
                             List out;
                             for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
                                 out.push_back(i);
                             return Value(out);
                         }));
    return globals;
}

} // namespace slim::tok::jinja
