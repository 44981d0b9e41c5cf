#include "dataset_records.h"

#include "data/data_locator.h"
#include "data/text_files.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace slim::suites {

namespace fs = std::filesystem;

namespace {

enum class FileShape { JsonLines, JsonArray, Csv };

[[noreturn]] void failAt(const std::string &file, int line, const std::string &what)
{
    throw data::DataError(file + ":" + std::to_string(line) + ": " + what);
}

std::optional<FileShape> shapeOfName(const fs::path &path)
{
    auto name = path.filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (name.size() > 3 && name.ends_with(".gz"))
        name.resize(name.size() - 3);
    if (name.ends_with(".jsonl") || name.ends_with(".ndjson"))
        return FileShape::JsonLines;
    if (name.ends_with(".json"))
        return FileShape::JsonArray;
    if (name.ends_with(".csv"))
        return FileShape::Csv;
    return std::nullopt;
}

FileShape shapeOf(const fs::path &path)
{
    if (const auto shape = shapeOfName(path))
        return *shape;
    throw data::DataError(path.string()
                          + ": unknown file type; records are read from .jsonl "
                            "(JSON Lines), .json (a JSON array of objects) or .csv (a header row), "
                            "each optionally .gz");
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string plainMessage(const std::exception &e)
{
    std::string what = e.what();
    const auto end = what.find("] ");
    return what.starts_with("[json.exception") && end != std::string::npos ? what.substr(end + 2)
                                                                           : what;
}

int lineAtByte(const std::string &text, size_t byte)
{
    byte = std::min(byte, text.size());
    return 1 + int(std::count(text.begin(), text.begin() + std::ptrdiff_t(byte), '\n'));
}

// Lines on which the top-level array's elements start (the text is valid JSON).
std::vector<int> elementLines(const std::string &text)
{
    std::vector<int> lines;
    int line = 1, depth = 0;
    bool inString = false, escaped = false, expectElement = false;
    for (const char c : text) {
        if (c == '\n')
            ++line;
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (expectElement && !(depth == 1 && c == ']')) {
            lines.push_back(line);
            expectElement = false;
        }
        if (c == '"')
            inString = true;
        else if (c == '[' || c == '{')
            expectElement = ++depth == 1 && c == '[';
        else if (c == ']' || c == '}')
            --depth;
        else if (c == ',' && depth == 1)
            expectElement = true;
    }
    return lines;
}

Record objectRecord(const std::string &file, int line, nlohmann::json value)
{
    Record record {file, line, std::move(value), false};
    if (!record.fields.is_object())
        recordError(record,
                    std::string("a record must be a JSON object, not ")
                        + record.fields.type_name());
    return record;
}

std::vector<Record> jsonLines(const std::string &text, const std::string &file)
{
    std::vector<Record> records;
    for (const auto &numbered : data::splitLines(text, /*skipBlank=*/true)) {
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(numbered.text);
        } catch (const nlohmann::json::exception &e) {
            failAt(file, numbered.line, "not valid JSON: " + plainMessage(e));
        }
        records.push_back(objectRecord(file, numbered.line, std::move(value)));
    }
    return records;
}

std::vector<Record> jsonArray(const std::string &text, const std::string &file)
{
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        failAt(file, lineAtByte(text, e.byte > 0 ? e.byte - 1 : 0),
               "not valid JSON: " + plainMessage(e));
    } catch (const nlohmann::json::exception &e) { // e.g. a number beyond a double's range
        throw data::DataError(file + ": not valid JSON: " + plainMessage(e));
    }
    if (!value.is_array())
        throw data::DataError(file + ": expected a JSON array of records (objects), found a "
                              + std::string(value.type_name())
                              + "; JSON Lines files take the extension .jsonl");
    const auto lines = elementLines(text);
    std::vector<Record> records;
    for (size_t i = 0; i < value.size(); ++i)
        records.push_back(objectRecord(file, i < lines.size() ? lines[i] : 1, std::move(value[i])));
    return records;
}

std::vector<Record> csvRecords(const std::string &text, const std::string &file)
{
    const auto rows = data::parseCsv(text, file);
    if (rows.empty())
        return {};
    const auto &header = rows.front().fields;
    std::vector<Record> records;
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto &row = rows[r];
        if (row.fields.size() != header.size())
            failAt(file, row.line,
                   std::to_string(row.fields.size()) + " fields where the header row has "
                       + std::to_string(header.size()));
        nlohmann::json fields = nlohmann::json::object();
        for (size_t i = 0; i < header.size(); ++i)
            fields[header[i]] = row.fields[i];
        records.push_back({file, row.line, std::move(fields), true});
    }
    return records;
}

const nlohmann::json &requireField(const Record &record, const std::string &name)
{
    const auto it = record.fields.find(name);
    if (it == record.fields.end())
        recordError(record, "field '" + name + "' is missing");
    return *it;
}

[[noreturn]] void wrongType(const Record &record, const std::string &name, const std::string &type)
{
    recordError(record,
                "field '" + name + "' must be " + type + ", not "
                    + std::string(requireField(record, name).type_name()) + " "
                    + requireField(record, name).dump().substr(0, 40));
}

// A CSV cell holding a JSON list or object, parsed; other values as they are.
nlohmann::json structuredValue(const Record &record, const std::string &name)
{
    const auto &value = requireField(record, name);
    if (!record.text_cells || !value.is_string())
        return value;
    try {
        return nlohmann::json::parse(value.get<std::string>());
    } catch (const nlohmann::json::exception &e) {
        recordError(record,
                    "field '" + name + "' must hold JSON text in a CSV cell: " + plainMessage(e));
    }
}

} // namespace

void recordError(const Record &record, const std::string &what)
{
    failAt(record.file, record.line, what);
}

bool hasRecordsExtension(const std::filesystem::path &path)
{
    return shapeOfName(path).has_value();
}

std::vector<Record> readRecords(const fs::path &path)
{
    const auto shape = shapeOf(path);
    const auto text = data::readTextFile(path);
    const auto file = path.string();
    switch (shape) {
    case FileShape::JsonLines:
        return jsonLines(text, file);
    case FileShape::JsonArray:
        return jsonArray(text, file);
    case FileShape::Csv:
        return csvRecords(text, file);
    }
    return {};
}

std::vector<Record> recordsFromJsonLines(const std::string &text, const std::string &file)
{
    return jsonLines(text, file);
}

bool hasField(const Record &record, const std::string &name)
{
    return record.fields.contains(name);
}

const std::string &stringField(const Record &record, const std::string &name)
{
    const auto &value = requireField(record, name);
    if (!value.is_string())
        wrongType(record, name, "a string");
    return value.get_ref<const std::string &>();
}

int64_t integerField(const Record &record, const std::string &name)
{
    const auto &value = requireField(record, name);
    if (value.is_number_integer())
        return value.get<int64_t>();
    if (value.is_number_float() && value.get<double>() == double(int64_t(value.get<double>())))
        return int64_t(value.get<double>());
    if (value.is_string()) {
        const auto &s = value.get_ref<const std::string &>();
        if (!s.empty() && s.size() < 18
            && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
            return std::stoll(s);
    }
    wrongType(record, name, "an integer");
}

bool booleanField(const Record &record, const std::string &name)
{
    const auto &value = requireField(record, name);
    if (value.is_boolean())
        return value.get<bool>();
    if (record.text_cells && value.is_string()) {
        auto s = value.get<std::string>();
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (s == "true" || s == "false")
            return s == "true";
    }
    wrongType(record, name, "a boolean");
}

std::vector<std::string> stringListField(const Record &record, const std::string &name)
{
    const auto value = structuredValue(record, name);
    if (!value.is_array())
        wrongType(record, name, "a list of strings");
    std::vector<std::string> out;
    for (const auto &item : value) {
        if (!item.is_string())
            recordError(record,
                        "field '" + name + "' must be a list of strings; item "
                            + std::to_string(out.size()) + " is " + std::string(item.type_name()));
        out.push_back(item.get<std::string>());
    }
    return out;
}

nlohmann::json arrayField(const Record &record, const std::string &name)
{
    auto value = structuredValue(record, name);
    if (!value.is_array())
        wrongType(record, name, "a list");
    return value;
}

nlohmann::json objectField(const Record &record, const std::string &name)
{
    auto value = structuredValue(record, name);
    if (!value.is_object())
        wrongType(record, name, "an object");
    return value;
}

} // namespace slim::suites
