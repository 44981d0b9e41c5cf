#pragma once
// Writing files so that a failure says why (a full disk, a read-only one, no permission), and
// sizes in words. Std-only.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace slim::common {

// A file could not be written; what() names the file and the reason.
class FileWriteError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Writes `text` to `path` (replacing it), checking the open, every write and the close.
// Throws FileWriteError: "cannot write '<path>': No space left on device (0 bytes free on its
// disk)".
void writeTextFile(const std::filesystem::path &path, std::string_view text);

// Why writing `path` failed: the operating system's reason for `savedErrno` (errno read right
// after the failure; 0 when unknown) and the free space left on the file's disk.
std::string writeFailureReason(const std::filesystem::path &path, int savedErrno);

// "512 bytes", "1.50 KiB", "3.25 GiB".
std::string formatBytes(std::int64_t bytes);

} // namespace slim::common
