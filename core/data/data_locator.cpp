#include "data/data_locator.h"

#include <cstdlib>

#ifndef SLIM_RESOURCES_DIR
#error "SLIM_RESOURCES_DIR must be defined by the build (the source tree's resources folder)"
#endif

namespace slim::data {
namespace fs = std::filesystem;

namespace {

std::string environment(const char *name)
{
    const char *value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

} // namespace

void throwMalformed(const std::string &file, int line, const std::string &what)
{
    throw DataError(file + ":" + std::to_string(line) + ": malformed line: " + what);
}

DataLocator::DataLocator(fs::path resourcesRoot, fs::path fetchedDir)
    : m_resourcesRoot(std::move(resourcesRoot))
    , m_fetchedDir(std::move(fetchedDir))
{ }

fs::path DataLocator::defaultFetchedDir()
{
    const std::string home = environment("HOME");
    const fs::path base = home.empty() ? fs::current_path() : fs::path(home);
    return base / ".local" / "share" / "slim-workbench" / "data";
}

DataLocator DataLocator::fromEnvironment()
{
    std::string resources = environment("SLIM_RESOURCES_DIR");
    if (resources.empty())
        resources = SLIM_RESOURCES_DIR;
    const std::string fetched = environment("SLIM_DATA_DIR");
    return DataLocator(resources, fetched.empty() ? defaultFetchedDir() : fs::path(fetched));
}

fs::path DataLocator::vendoredFile(const std::string &relative) const
{
    const fs::path path = vendoredDir() / relative;
    if (!fs::is_regular_file(path)) {
        throw DataError("missing vendored data file " + path.string()
                        + " (it is committed under resources/data; set SLIM_RESOURCES_DIR to the"
                          " folder holding data/ if the source tree moved)");
    }
    return path;
}

fs::path DataLocator::fetchedFile(const std::string &relative) const
{
    const fs::path path = m_fetchedDir / relative;
    if (!fs::is_regular_file(path)) {
        throw DataError("missing data file " + path.string()
                        + ": run `bash packaging/fetch-data.sh` (it installs into SLIM_DATA_DIR,"
                          " default ~/.local/share/slim-workbench/data)");
    }
    return path;
}

bool DataLocator::hasFetchedFile(const std::string &relative) const
{
    return fs::is_regular_file(m_fetchedDir / relative);
}

} // namespace slim::data
