// A file opened as the workbench's database (store/run_store.h): not a database, a damaged one,
// one from a newer version. It is opened (and migrated when it is an older schema), then its
// runs listed. Documented error: StoreError saying what the file is. The input is a copy: the
// refusal must leave it as it was, which the fault tests check on disk.
#include "fuzz_support.h"

#include "store/run_store.h"
#include "store/store_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto path = slim::fuzz::scratchFile("runs.db", slim::fuzz::bytesOf(data, size));
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
    std::filesystem::remove(path.string() + "-journal");
    try {
        slim::store::RunStore store(path.string());
        for (const auto &run : store.listRuns())
            (void)run;
    } catch (const slim::store::StoreError &) {
    }
    return 0;
}
