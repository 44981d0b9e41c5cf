#pragma once
// One field of a JSON document's schema (the run spec, an adapter config): type, range,
// default, help text and the methods it applies to. The GUI generates its forms from these; the
// validators report errors with the field's path. Std + nlohmann-json only.

#include <nlohmann/json.hpp>

#include <limits>
#include <string>
#include <vector>

namespace slim::spec {

enum class FieldType { Integer, Number, Boolean, String, Choice, IntegerList, NumberList,
                       StringList };

struct FieldSpec
{
    std::string path;  // dotted, e.g. "schedule.lr" or "method.drop_rate"
    FieldType type = FieldType::Number;
    nlohmann::json default_value;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::vector<std::string> choices; // Choice, and allowed items of StringList (empty = any)
    std::string help;
    std::vector<std::string> methods; // methods the field applies to; empty = every method
    bool folder = false; // a String naming a folder: forms offer a folder picker
    bool files = false; // a StringList that may name dataset files: forms offer a file picker
    bool appliesTo(const std::string &method) const;
};

struct SpecError
{
    std::string path;
    std::string message;
    std::string text() const { return path + ": " + message; }
};

// Checks `value` against `field`; appends an error naming the path and the reason.
void checkField(const FieldSpec &field, const nlohmann::json &value,
                std::vector<SpecError> &errors);

std::string typeName(FieldType type);
nlohmann::json fieldToJson(const FieldSpec &field);

} // namespace slim::spec
