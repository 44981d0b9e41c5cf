#include "jinja_value.h"

#include "tokenizer_error.h"
#include "unicode_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace slim::tok::jinja {

Value Value::get(const std::string &key) const
{
    if (isDict()) {
        for (const auto &[k, value] : dict()) {
            if (k == key)
                return value;
        }
    }
    return undefined(key);
}

void Value::set(const std::string &key, Value value) const
{
    for (auto &[k, existing] : dict()) {
        if (k == key) {
            existing = std::move(value);
            return;
        }
    }
    dict().emplace_back(key, std::move(value));
}

Value Args::at(size_t index, const std::string &name, Value fallback) const
{
    if (index < positional.size())
        return positional[index];
    for (const auto &[k, value] : keywords) {
        if (k == name)
            return value;
    }
    return fallback;
}

std::string typeName(const Value &value)
{
    if (value.isUndefined())
        return "Undefined";
    if (value.isNone())
        return "NoneType";
    if (value.isBool())
        return "bool";
    if (value.isInt())
        return "int";
    if (value.isFloat())
        return "float";
    if (value.isString())
        return "str";
    if (value.isList())
        return "list";
    if (value.isDict())
        return "dict";
    return "function";
}

bool truthy(const Value &value)
{
    if (value.isUndefined() || value.isNone())
        return false;
    if (value.isBool())
        return std::get<bool>(value.v);
    if (value.isInt())
        return std::get<int64_t>(value.v) != 0;
    if (value.isFloat())
        return std::get<double>(value.v) != 0.0;
    if (value.isString())
        return !value.str().empty();
    if (value.isList())
        return !value.list().empty();
    if (value.isDict())
        return !value.dict().empty();
    return true;
}

bool equal(const Value &a, const Value &b)
{
    if ((a.isNumber() || a.isBool()) && (b.isNumber() || b.isBool()))
        return a.number() == b.number();
    if (a.v.index() != b.v.index())
        return false;
    if (a.isUndefined() || a.isNone())
        return true;
    if (a.isString())
        return a.str() == b.str();
    if (a.isList()) {
        const auto &x = a.list(), &y = b.list();
        if (x.size() != y.size())
            return false;
        for (size_t i = 0; i < x.size(); ++i) {
            if (!equal(x[i], y[i]))
                return false;
        }
        return true;
    }
    if (a.isDict()) {
        if (a.dict().size() != b.dict().size())
            return false;
        for (const auto &[k, value] : a.dict()) {
            const auto other = b.get(k);
            if (other.isUndefined() || !equal(value, other))
                return false;
        }
        return true;
    }
    return &a.callable() == &b.callable();
}

bool less(const Value &a, const Value &b)
{
    if ((a.isNumber() || a.isBool()) && (b.isNumber() || b.isBool()))
        return a.number() < b.number();
    if (a.isString() && b.isString())
        return toU32(a.str()) < toU32(b.str());
    if (a.isList() && b.isList()) {
        const auto &x = a.list(), &y = b.list();
        for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
            if (less(x[i], y[i]))
                return true;
            if (less(y[i], x[i]))
                return false;
        }
        return x.size() < y.size();
    }
    throw TokenizerError("'<' not supported between instances of '" + typeName(a) + "' and '"
                         + typeName(b) + "'");
}

namespace {

std::string floatRepr(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d > 0 ? "inf" : "-inf";
    // Python's repr: the shortest string that reads back the same, with ".0" for integers.
    char buffer[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, d);
        if (std::strtod(buffer, nullptr) == d)
            break;
    }
    std::string s = buffer;
    if (s.find_first_of(".en") == std::string::npos)
        s += ".0";
    const auto e = s.find('e');
    if (e != std::string::npos) { // Python writes 1e+16 as 1e+16, 1e-05 as 1e-05
        auto mantissa = s.substr(0, e);
        auto exponent = s.substr(e + 1);
        const char sign = exponent[0] == '-' ? '-' : '+';
        exponent = exponent.substr(exponent[0] == '-' || exponent[0] == '+' ? 1 : 0);
        while (exponent.size() > 2 && exponent[0] == '0')
            exponent.erase(0, 1);
        if (exponent.size() < 2)
            exponent.insert(0, "0");
        s = mantissa + "e" + sign + exponent;
    }
    return s;
}

std::string stringRepr(const std::string &s)
{
    const bool useDouble = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char quote = useDouble ? '"' : '\'';
    std::string out(1, quote);
    for (const char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == quote) {
                out += '\\';
                out += c;
            } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
                out += hex;
            } else {
                out += c;
            }
        }
    }
    return out + quote;
}

std::string jsonString(const std::string &s)
{
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned char>(c));
                out += hex;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

void writeJson(const Value &value, int indent, bool sortKeys, int depth, std::string &out)
{
    const auto newline = [&](int level) {
        if (indent >= 0)
            out += "\n" + std::string(size_t(indent * level), ' ');
    };
    const char *itemSeparator = indent >= 0 ? "," : ", ";
    if (value.isUndefined() || value.isNone()) {
        out += "null";
    } else if (value.isBool()) {
        out += std::get<bool>(value.v) ? "true" : "false";
    } else if (value.isInt()) {
        out += std::to_string(std::get<int64_t>(value.v));
    } else if (value.isFloat()) {
        const double d = std::get<double>(value.v);
        out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d);
    } else if (value.isString()) {
        out += jsonString(value.str());
    } else if (value.isList()) {
        const auto &list = value.list();
        if (list.empty()) {
            out += "[]";
            return;
        }
        out += "[";
        for (size_t i = 0; i < list.size(); ++i) {
            if (i)
                out += itemSeparator;
            newline(depth + 1);
            writeJson(list[i], indent, sortKeys, depth + 1, out);
        }
        newline(depth);
        out += "]";
    } else if (value.isDict()) {
        auto entries = value.dict();
        if (entries.empty()) {
            out += "{}";
            return;
        }
        if (sortKeys)
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
        out += "{";
        for (size_t i = 0; i < entries.size(); ++i) {
            if (i)
                out += itemSeparator;
            newline(depth + 1);
            out += jsonString(entries[i].first) + ": ";
            writeJson(entries[i].second, indent, sortKeys, depth + 1, out);
        }
        newline(depth);
        out += "}";
    } else {
        throw TokenizerError("Object of type function is not JSON serializable");
    }
}

} // namespace

std::string toStr(const Value &value)
{
    if (value.isUndefined())
        return "";
    if (value.isString())
        return value.str();
    return toRepr(value);
}

std::string toRepr(const Value &value)
{
    if (value.isUndefined())
        return "";
    if (value.isNone())
        return "None";
    if (value.isBool())
        return std::get<bool>(value.v) ? "True" : "False";
    if (value.isInt())
        return std::to_string(std::get<int64_t>(value.v));
    if (value.isFloat())
        return floatRepr(std::get<double>(value.v));
    if (value.isString())
        return stringRepr(value.str());
    if (value.isList()) {
        std::string out = "[";
        for (size_t i = 0; i < value.list().size(); ++i)
            out += (i ? ", " : "") + toRepr(value.list()[i]);
        return out + "]";
    }
    if (value.isDict()) {
        std::string out = "{";
        bool first = true;
        for (const auto &[k, v] : value.dict()) {
            out += (first ? "" : ", ") + stringRepr(k) + ": " + toRepr(v);
            first = false;
        }
        return out + "}";
    }
    return "<function " + value.callable().name + ">";
}

std::string toJson(const Value &value, int indent, bool sortKeys)
{
    std::string out;
    writeJson(value, indent, sortKeys, 0, out);
    return out;
}

Value fromJson(const nlohmann::ordered_json &json)
{
    switch (json.type()) {
    case nlohmann::ordered_json::value_t::null: return None{};
    case nlohmann::ordered_json::value_t::boolean: return json.get<bool>();
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned: return json.get<int64_t>();
    case nlohmann::ordered_json::value_t::number_float: return json.get<double>();
    case nlohmann::ordered_json::value_t::string: return json.get<std::string>();
    case nlohmann::ordered_json::value_t::array: {
        List list;
        for (const auto &item : json)
            list.push_back(fromJson(item));
        return list;
    }
    case nlohmann::ordered_json::value_t::object: {
        Dict dict;
        for (const auto &[k, item] : json.items())
            dict.emplace_back(k, fromJson(item));
        return dict;
    }
    default: return None{};
    }
}

std::u32string toU32(const std::string &text)
{
    std::u32string out;
    for (size_t pos = 0; pos < text.size();) {
        size_t n = 0;
        out.push_back(decodeChar(text, pos, &n));
        pos += n;
    }
    return out;
}

std::string fromU32(const std::u32string &text)
{
    std::string out;
    for (const char32_t c : text)
        appendChar(out, c);
    return out;
}

} // namespace slim::tok::jinja
