#pragma once
// Where the benchmark's data lives: the vendored files committed under resources/data and the
// files fetched by packaging/fetch-data.sh. Std only.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace slim::data {

// Every data error (missing file, malformed line, impossible request). Messages name the file
// (and line) and, for fetched data, tell the user how to get it.
class DataError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Throws DataError "<file>:<line>: <what>".
[[noreturn]] void throwMalformed(const std::string &file, int line, const std::string &what);

class DataLocator
{
public:
    // resourcesRoot holds data/ (the vendored files); fetchedDir is fetch-data.sh's target.
    DataLocator(std::filesystem::path resourcesRoot, std::filesystem::path fetchedDir);

    // resources root: env SLIM_RESOURCES_DIR, else the source tree's resources/ (compile time);
    // fetched dir: env SLIM_DATA_DIR, else defaultFetchedDir(). Reads the environment on each
    // call.
    static DataLocator fromEnvironment();
    // $HOME/.local/share/slim-workbench/data (as packaging/fetch-data.sh).
    static std::filesystem::path defaultFetchedDir();

    const std::filesystem::path &resourcesRoot() const { return m_resourcesRoot; }
    std::filesystem::path vendoredDir() const { return m_resourcesRoot / "data"; }
    const std::filesystem::path &fetchedDir() const { return m_fetchedDir; }

    // Path of a vendored file, e.g. "countries-list/countries.csv.gz"; throws DataError when
    // it does not exist.
    std::filesystem::path vendoredFile(const std::string &relative) const;
    // Path of a fetched file, e.g. "brown/ca01"; throws DataError telling the user to run
    // `bash packaging/fetch-data.sh` when it does not exist.
    std::filesystem::path fetchedFile(const std::string &relative) const;
    bool hasFetchedFile(const std::string &relative) const;

private:
    std::filesystem::path m_resourcesRoot;
    std::filesystem::path m_fetchedDir;
};

} // namespace slim::data
