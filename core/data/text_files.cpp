#include "data/text_files.h"

#include "data/data_locator.h"

#include <zlib.h>

#include <algorithm>

namespace slim::data {
namespace {

std::string_view withoutByteOrderMark(std::string_view text)
{
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    return text;
}

} // namespace

std::string readTextFile(const std::filesystem::path &path)
{
    // gzread reads plain files transparently too, so one path serves both.
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw DataError("cannot open " + path.string());
    std::string bytes;
    char chunk[1 << 16];
    for (;;) {
        const int n = gzread(file, chunk, sizeof chunk);
        if (n < 0) {
            int code = 0;
            const std::string message = gzerror(file, &code);
            gzclose(file);
            throw DataError("cannot read " + path.string() + ": " + message);
        }
        if (n == 0)
            break;
        bytes.append(chunk, std::size_t(n));
    }
    gzclose(file);
    return bytes;
}

void writeGzipFile(const std::filesystem::path &path, std::string_view bytes)
{
    gzFile file = gzopen(path.c_str(), "wb9");
    if (!file)
        throw DataError("cannot create " + path.string());
    std::size_t written = 0;
    while (written < bytes.size()) {
        const unsigned chunk = unsigned(std::min<std::size_t>(bytes.size() - written, 1 << 20));
        if (gzwrite(file, bytes.data() + written, chunk) != int(chunk)) {
            gzclose(file);
            throw DataError("cannot write " + path.string());
        }
        written += chunk;
    }
    if (gzclose(file) != Z_OK)
        throw DataError("cannot finish " + path.string());
}

std::vector<NumberedLine> splitLines(std::string_view text, bool skipBlank)
{
    text = withoutByteOrderMark(text);
    std::vector<NumberedLine> lines;
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++number;
        if (!skipBlank || line.find_first_not_of(" \t") != std::string_view::npos)
            lines.push_back({number, std::string(line)});
        start = end + 1;
    }
    return lines;
}

std::vector<CsvRecord> parseCsv(std::string_view text, const std::string &fileName)
{
    text = withoutByteOrderMark(text);
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    int line = 1;
    bool inQuotes = false;
    bool recordHasContent = false;
    int quoteStartLine = 0;

    auto endField = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
    };
    auto endRecord = [&] {
        if (recordHasContent) {
            endField();
            records.push_back(std::move(record));
        }
        record = CsvRecord();
        field.clear();
        recordHasContent = false;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!recordHasContent && c != '\n' && c != '\r') {
            recordHasContent = true;
            record.line = line;
        }
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field.push_back('"');
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == '\n')
                    ++line;
                field.push_back(c);
            }
            continue;
        }
        switch (c) {
        case '"':
            if (!field.empty())
                throwMalformed(fileName, line, "quote inside an unquoted field");
            inQuotes = true;
            quoteStartLine = line;
            break;
        case ',':
            endField();
            break;
        case '\r':
            break;
        case '\n':
            endRecord();
            ++line;
            break;
        default:
            field.push_back(c);
        }
    }
    if (inQuotes)
        throwMalformed(fileName, quoteStartLine, "unterminated quoted field");
    endRecord();
    return records;
}

} // namespace slim::data
