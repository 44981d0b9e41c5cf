// Loaders of the vendored sources: countries, US state capitals, first names.

#include "data/sources.h"
#include "data/text_files.h"

#include <algorithm>
#include <map>

namespace slim::data {
namespace {

// Column positions by header name, so a reordered upstream file still loads.
std::map<std::string, std::size_t> headerColumns(const std::vector<CsvRecord> &records,
                                                 const std::string &file,
                                                 const std::vector<std::string> &required)
{
    if (records.empty())
        throwMalformed(file, 1, "empty file, expected a header line");
    std::map<std::string, std::size_t> columns;
    for (std::size_t i = 0; i < records.front().fields.size(); ++i)
        columns[records.front().fields[i]] = i;
    for (const std::string &name : required) {
        if (!columns.count(name))
            throwMalformed(file, records.front().line, "header lacks the column \"" + name + "\"");
    }
    return columns;
}

void checkFieldCount(const CsvRecord &record, std::size_t expected, const std::string &file)
{
    if (record.fields.size() != expected) {
        throwMalformed(file, record.line,
                       "expected " + std::to_string(expected) + " fields, found "
                           + std::to_string(record.fields.size()));
    }
}

} // namespace

std::vector<Country> loadCountries(const DataLocator &locator)
{
    const auto path = locator.vendoredFile("countries-list/countries.csv.gz");
    const std::string file = path.string();
    const auto records = parseCsv(readTextFile(path), file);
    auto columns = headerColumns(records, file, {"Name", "Capital", "Continent"});
    const std::size_t width = records.front().fields.size();

    std::vector<Country> countries;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const CsvRecord &record = records[i];
        checkFieldCount(record, width, file);
        Country country {record.fields[columns["Name"]], record.fields[columns["Capital"]],
                         record.fields[columns["Continent"]]};
        if (country.name.empty())
            throwMalformed(file, record.line, "empty country name");
        if (country.continent.empty())
            throwMalformed(file, record.line, "empty continent for " + country.name);
        countries.push_back(std::move(country));
    }
    std::sort(countries.begin(), countries.end(),
              [](const Country &a, const Country &b) { return a.name < b.name; });
    return countries;
}

std::vector<StateCapital> loadStateCapitals(const DataLocator &locator)
{
    const auto path = locator.vendoredFile("us-states-capitals/data.csv.gz");
    const std::string file = path.string();
    const auto records = parseCsv(readTextFile(path), file);
    auto columns = headerColumns(records, file, {"state", "capital"});
    const std::size_t width = records.front().fields.size();

    std::vector<StateCapital> states;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const CsvRecord &record = records[i];
        checkFieldCount(record, width, file);
        StateCapital state {record.fields[columns["state"]], record.fields[columns["capital"]]};
        if (state.state.empty() || state.capital.empty())
            throwMalformed(file, record.line, "empty state or capital");
        states.push_back(std::move(state));
    }
    std::sort(states.begin(), states.end(),
              [](const StateCapital &a, const StateCapital &b) { return a.state < b.state; });
    return states;
}

std::vector<std::string> loadFirstNames(const DataLocator &locator, bool female)
{
    const auto path
        = locator.vendoredFile(female ? "first-names/female.txt.gz" : "first-names/male.txt.gz");
    std::vector<std::string> names;
    for (NumberedLine &line : splitLines(readTextFile(path), /*skipBlank=*/true)) {
        const bool plausible = std::all_of(line.text.begin(), line.text.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '\'';
        });
        if (!plausible)
            throwMalformed(path.string(), line.line, "not a first name: \"" + line.text + "\"");
        names.push_back(std::move(line.text));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace slim::data
