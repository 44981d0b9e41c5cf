#pragma once
// Reading the data files: whole files (gzip-aware), lines and CSV records with line numbers.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace slim::data {

// The whole file's bytes; a ".gz" file is decompressed with zlib. Throws DataError naming the
// file when it cannot be opened or decompressed.
std::string readTextFile(const std::filesystem::path &path);

// Writes bytes gzip-compressed (used for fixtures and for refreshing vendored files).
void writeGzipFile(const std::filesystem::path &path, std::string_view bytes);

struct NumberedLine
{
    int line = 0; // 1-based
    std::string text;
};

// Lines without their terminators ("\n" or "\r\n"); a UTF-8 byte-order mark is dropped.
// Blank lines are kept unless skipBlank.
std::vector<NumberedLine> splitLines(std::string_view text, bool skipBlank);

struct CsvRecord
{
    int line = 0; // line on which the record starts, 1-based
    std::vector<std::string> fields;
};

// RFC 4180 CSV: comma separated, fields optionally in double quotes, "" inside quotes is a
// quote, quoted fields may span lines. A UTF-8 byte-order mark is dropped; blank lines are
// skipped. An unterminated quote throws DataError naming fileName and the record's line.
std::vector<CsvRecord> parseCsv(std::string_view text, const std::string &fileName);

} // namespace slim::data
