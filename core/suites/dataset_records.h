#pragma once
// The records of a dataset file as users export them from Hugging Face `datasets` (or write them
// by hand): JSON Lines (.jsonl, one object a line), a JSON array of objects (.json) or CSV with a
// header row (.csv, every value a string; a value that is a JSON list or object, e.g. ARC's
// `choices`, is written as JSON text in its cell). Any of them may be gzip-compressed (.gz).
// Every record keeps its file and line, and every field is read through the accessors below, so
// a bad record is reported as "boolq.jsonl:17: field 'answer' must be a boolean".

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace slim::suites {

struct Record
{
    std::string file; // the path as given, for messages
    int line = 0; // 1-based line on which the record starts
    nlohmann::json fields; // an object
    bool text_cells = false; // CSV: every value is text (lists and objects as JSON text)
};

// Every record of the file, in file order. Throws data::DataError naming the file (and line)
// for an unreadable file, an unknown extension, malformed JSON or CSV, or a record that is not
// an object.
std::vector<Record> readRecords(const std::filesystem::path &path);

// Whether readRecords reads `path` by its name (.jsonl, .ndjson, .json, .csv, each optionally .gz,
// in any case).
bool hasRecordsExtension(const std::filesystem::path &path);

// Records given as JSON objects in memory (tests, fuzzers): named `file`, lines 1, 2, ...
std::vector<Record> recordsFromJsonLines(const std::string &text, const std::string &file);

// Field accessors; each throws data::DataError "<file>:<line>: field '<name>' ..." when the
// field is missing or has the wrong type.
bool hasField(const Record &record, const std::string &name);
const std::string &stringField(const Record &record, const std::string &name);
// An integer, or a string of decimal digits (SIQA's "2", WinoGrande's "1", any CSV cell).
int64_t integerField(const Record &record, const std::string &name);
// A boolean, or (CSV) the strings true/false in any case.
bool booleanField(const Record &record, const std::string &name);
// A list of strings (CSV: its JSON text).
std::vector<std::string> stringListField(const Record &record, const std::string &name);
// An object (CSV: its JSON text), e.g. ARC's {"text": [...], "label": [...]}.
nlohmann::json objectField(const Record &record, const std::string &name);
// A list of anything (CSV: its JSON text), e.g. ShareGPT's conversations.
nlohmann::json arrayField(const Record &record, const std::string &name);

// Throws data::DataError "<file>:<line>: <what>".
[[noreturn]] void recordError(const Record &record, const std::string &what);

} // namespace slim::suites
