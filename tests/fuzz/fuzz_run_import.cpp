// A file merged into the workbench's database by `slimctl import` (store/run_import.h): another
// workbench's database, a Slurm task's, or anything else. Documented error: StoreError saying
// what the file is. After a merge the target must pass integrity_check and foreign_key_check,
// and merging the same file again must change nothing.
#include "fuzz_support.h"

#include "store/run_import.h"
#include "store/store_error.h"

#include <filesystem>

namespace {

std::int64_t count(slim::store::Database &db, const char *sql)
{
    return db.queryInt64(sql);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto source = slim::fuzz::scratchFile("source.db", slim::fuzz::bytesOf(data, size));
    const auto target = source.parent_path() / "target.db";
    for (const auto &file : {source, target})
        for (const char *suffix : {"-wal", "-shm", "-journal"})
            std::filesystem::remove(file.string() + suffix);
    std::filesystem::remove(target);
    try {
        slim::store::RunStore store(target.string());
        const auto first = slim::store::importRuns(store, source.string());
        auto &db = store.database();
        if (count(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'")
                != 0
            || count(db, "SELECT count(*) FROM pragma_foreign_key_check") != 0)
            __builtin_trap();
        const auto runs = count(db, "SELECT count(*) FROM runs");
        const auto again = slim::store::importRuns(store, source.string());
        if (again.count(slim::store::ImportAction::Added) != 0
            || count(db, "SELECT count(*) FROM runs") != runs)
            __builtin_trap();
        (void)first;
    } catch (const slim::store::StoreError &) {
    }
    return 0;
}
