#include "field_spec.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace slim::spec {

namespace {

std::string formatNumber(double v)
{
    std::ostringstream out;
    out << v;
    return out.str();
}

void checkRange(const FieldSpec &f, double v, std::vector<SpecError> &errors)
{
    if (v < f.min || v > f.max) {
        std::string range = "[" + (std::isinf(f.min) ? std::string("-inf") : formatNumber(f.min))
                            + ", " + (std::isinf(f.max) ? std::string("inf") : formatNumber(f.max))
                            + "]";
        errors.push_back({f.path, formatNumber(v) + " is outside " + range});
    }
}

bool isWholeNumber(const nlohmann::json &v)
{
    return v.is_number_integer()
           || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
}

std::string joined(const std::vector<std::string> &items)
{
    std::string out;
    for (const auto &i : items)
        out += (out.empty() ? "" : ", ") + i;
    return out;
}

} // namespace

bool FieldSpec::appliesTo(const std::string &method) const
{
    return methods.empty() || std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::string typeName(FieldType type)
{
    switch (type) {
    case FieldType::Integer: return "integer";
    case FieldType::Number: return "number";
    case FieldType::Boolean: return "boolean";
    case FieldType::String: return "string";
    case FieldType::Choice: return "choice";
    case FieldType::IntegerList: return "integer list";
    case FieldType::NumberList: return "number list";
    case FieldType::StringList: return "string list";
    }
    return "unknown";
}

void checkField(const FieldSpec &f, const nlohmann::json &v, std::vector<SpecError> &errors)
{
    auto wrongType = [&] {
        errors.push_back({f.path, "expected " + typeName(f.type) + ", got " + v.type_name()
                                      + (v.is_primitive() ? " " + v.dump() : std::string())});
    };
    switch (f.type) {
    case FieldType::Integer:
        if (!v.is_number() || !isWholeNumber(v))
            return wrongType();
        return checkRange(f, v.get<double>(), errors);
    case FieldType::Number:
        if (!v.is_number())
            return wrongType();
        return checkRange(f, v.get<double>(), errors);
    case FieldType::Boolean:
        if (!v.is_boolean())
            return wrongType();
        return;
    case FieldType::String:
        if (!v.is_string())
            return wrongType();
        return;
    case FieldType::Choice:
        if (!v.is_string())
            return wrongType();
        if (std::find(f.choices.begin(), f.choices.end(), v.get<std::string>()) == f.choices.end())
            errors.push_back({f.path, "'" + v.get<std::string>() + "' is not one of "
                                          + joined(f.choices)});
        return;
    case FieldType::IntegerList:
    case FieldType::NumberList:
        if (!v.is_array())
            return wrongType();
        for (size_t i = 0; i < v.size(); ++i) {
            FieldSpec item = f;
            item.path = f.path + "[" + std::to_string(i) + "]";
            item.type = f.type == FieldType::IntegerList ? FieldType::Integer : FieldType::Number;
            checkField(item, v[i], errors);
        }
        return;
    case FieldType::StringList:
        if (!v.is_array())
            return wrongType();
        for (size_t i = 0; i < v.size(); ++i) {
            FieldSpec item = f;
            item.path = f.path + "[" + std::to_string(i) + "]";
            item.type = f.choices.empty() ? FieldType::String : FieldType::Choice;
            checkField(item, v[i], errors);
        }
        return;
    }
}

nlohmann::json fieldToJson(const FieldSpec &f)
{
    nlohmann::json j = {{"path", f.path}, {"type", typeName(f.type)}, {"default", f.default_value},
                        {"help", f.help}};
    if (!std::isinf(f.min))
        j["min"] = f.min;
    if (!std::isinf(f.max))
        j["max"] = f.max;
    if (!f.choices.empty())
        j["choices"] = f.choices;
    if (!f.methods.empty())
        j["methods"] = f.methods;
    if (f.folder)
        j["folder"] = true;
    if (f.files)
        j["files"] = true;
    return j;
}

} // namespace slim::spec
