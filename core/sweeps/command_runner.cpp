#include "sweeps/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char **environ;

namespace slim::sweeps {

namespace {

struct Pipe
{
    int fd[2] = {-1, -1};
    Pipe()
    {
        if (::pipe2(fd, O_CLOEXEC) != 0)
            throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
    }
    ~Pipe() { closeBoth(); }
    void close(int end)
    {
        if (fd[end] >= 0)
            ::close(fd[end]);
        fd[end] = -1;
    }
    void closeBoth()
    {
        close(0);
        close(1);
    }
};

std::vector<std::string> mergedEnvironment(const std::map<std::string, std::string> &extra)
{
    std::vector<std::string> out;
    for (char **e = environ; e && *e; ++e) {
        const std::string entry = *e;
        if (!extra.count(entry.substr(0, entry.find('='))))
            out.push_back(entry);
    }
    for (const auto &[key, value] : extra)
        out.push_back(key + "=" + value);
    return out;
}

std::vector<char *> pointers(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    for (auto &s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

CommandResult runCommand(const std::vector<std::string> &argv, std::chrono::seconds timeout,
                         const std::map<std::string, std::string> &environment)
{
    if (argv.empty())
        throw std::invalid_argument("runCommand: no program");
    Pipe out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    auto args = argv;
    auto env = mergedEnvironment(environment);
    auto argp = pointers(args);
    auto envp = pointers(env);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, argp.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error(argv[0] + ": "
                                 + (rc == ENOENT ? std::string("not found on the PATH")
                                                 : std::string(std::strerror(rc))));
    out.close(1);
    err.close(1);

    CommandResult result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool killed = false;
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    std::string *sinks[2] = {&result.out, &result.err};
    int open = 2;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 && !killed) {
            ::kill(pid, SIGKILL);
            killed = true;
        }
        const int ready = ::poll(fds, 2, killed ? 1000 : int(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
            if (n > 0) {
                sinks[i]->append(buffer, std::size_t(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
        if (killed && ready == 0)
            break; // a grandchild keeps the pipe open: give up on the rest
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exitCode = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (killed)
        result.err += "\n(stopped after " + std::to_string(timeout.count()) + " s)";
    return result;
}

} // namespace slim::sweeps
