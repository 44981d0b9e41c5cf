#pragma once
// The commit of the source tree the binary was built from ("3f2a9c81d0e4", "-dirty" appended
// when tracked files differed from it, "unknown" outside git), stamped at build time
// (cmake/GitCommit.cmake); recorded with every run.

namespace slim::jobs {

const char *gitCommit();

} // namespace slim::jobs
