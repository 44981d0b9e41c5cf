// Alone in its translation unit: a new commit recompiles only this file.
#include "git_commit.h"

#include "slim_git_commit.h"

namespace slim::jobs {

const char *gitCommit()
{
    return SLIM_GIT_COMMIT;
}

} // namespace slim::jobs
