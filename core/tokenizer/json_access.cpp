#include "json_access.h"

namespace slim::tok {

JsonAt JsonAt::operator[](const std::string &key) const
{
    static const nlohmann::json null;
    if (!value.is_object())
        fail("expected an object");
    const auto it = value.find(key);
    const auto sep = path.back() == ' ' ? "" : ".";
    return {it == value.end() ? null : *it, path + sep + key};
}

JsonAt JsonAt::operator[](size_t index) const
{
    return {array().at(index), path + "[" + std::to_string(index) + "]"};
}

bool JsonAt::has(const std::string &key) const
{
    return value.is_object() && value.contains(key) && !value.at(key).is_null();
}

std::string JsonAt::string() const
{
    if (!value.is_string())
        fail("expected a string");
    return value.get<std::string>();
}

std::string JsonAt::stringOr(const std::string &key, const std::string &fallback) const
{
    return has(key) ? (*this)[key].string() : fallback;
}

bool JsonAt::boolOr(const std::string &key, bool fallback) const
{
    if (!has(key))
        return fallback;
    const auto field = (*this)[key];
    if (!field.value.is_boolean())
        field.fail("expected true or false");
    return field.value.get<bool>();
}

long long JsonAt::integer() const
{
    if (!value.is_number_integer())
        fail("expected an integer");
    return value.get<long long>();
}

const nlohmann::json &JsonAt::array() const
{
    if (!value.is_array())
        fail("expected an array");
    return value;
}

const nlohmann::json &JsonAt::object() const
{
    if (!value.is_object())
        fail("expected an object");
    return value;
}

void JsonAt::fail(const std::string &message) const
{
    throw TokenizerError(path + ": " + message);
}

void JsonAt::unsupported(const std::string &what, const std::string &name) const
{
    fail("unsupported " + what + " '" + name + "'");
}

RegexMatcher patternOf(const JsonAt &json)
{
    if (json.has("String"))
        return RegexMatcher::literal(json["String"].string(), json.path);
    if (json.has("Regex"))
        return RegexMatcher(json["Regex"].string(), json["Regex"].path);
    json.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

} // namespace slim::tok
