#include "store/process_info.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace slim::store {

#if defined(_WIN32)

// Not built or tested on Windows yet; kept beside the POSIX version so the intent is clear.
std::int64_t currentProcessId()
{
    return static_cast<std::int64_t>(GetCurrentProcessId());
}

std::string currentHostName()
{
    char name[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD size = sizeof(name);
    return GetComputerNameA(name, &size) ? std::string(name, size) : std::string();
}

bool isProcessAlive(std::int64_t pid)
{
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!process)
        return GetLastError() == ERROR_ACCESS_DENIED;
    DWORD code = 0;
    const bool alive = GetExitCodeProcess(process, &code) && code == STILL_ACTIVE;
    CloseHandle(process);
    return alive;
}

#else

std::int64_t currentProcessId()
{
    return static_cast<std::int64_t>(::getpid());
}

std::string currentHostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0)
        return {};
    return name;
}

bool isProcessAlive(std::int64_t pid)
{
    // pid <= 0 would address process groups.
    if (pid <= 0)
        return false;
    // Signal 0 only checks existence and permission: EPERM means someone else's live process.
    if (::kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno == EPERM;
}

#endif

} // namespace slim::store
