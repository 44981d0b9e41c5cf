#include "common/file_writes.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace slim::common {

namespace fs = std::filesystem;

std::string writeFailureReason(const fs::path &path, int savedErrno)
{
    std::string reason = savedErrno != 0 ? std::strerror(savedErrno) : "write error";
    // The free space of the nearest folder that exists (the file may be gone by now).
    std::error_code ec;
    for (auto dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
        if (fs::exists(dir, ec)) {
            const auto space = fs::space(dir, ec);
            if (!ec)
                reason += " (" + formatBytes(std::int64_t(space.available)) + " free on its disk)";
            break;
        }
        if (dir == dir.parent_path())
            break;
    }
    return reason;
}

void writeTextFile(const fs::path &path, std::string_view text)
{
    const auto fail = [&](int savedErrno) {
        throw FileWriteError("cannot write '" + path.string() + "': "
                             + writeFailureReason(path, savedErrno));
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "wb"),
                                                         &std::fclose);
    if (!file)
        fail(errno);
    if (std::fwrite(text.data(), 1, text.size(), file.get()) != text.size()
        || std::fflush(file.get()) != 0)
        fail(errno);
    if (std::fclose(file.release()) != 0)
        fail(errno);
}

std::string formatBytes(std::int64_t bytes)
{
    if (bytes < 1024)
        return std::to_string(bytes) + " bytes";
    const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.2f %s", value, units[unit]);
    return text;
}

} // namespace slim::common
