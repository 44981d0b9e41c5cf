// A dataset file as users bring it (suites/dataset_records.h): the first byte picks the format
// (.jsonl, .json, .csv, or one of them gzip-compressed: the rest must then be gzip data), the
// rest is the file. Then what is built from its records: every lm-eval task's items (the file
// also as its own few-shot pool), and a training set in each prompt format. Documented errors:
// data::DataError naming file, line and field; std::invalid_argument for shots the file cannot
// give.
#include "fuzz_support.h"

#include "data/data_locator.h"
#include "suites/dataset_records.h"
#include "suites/harness_tasks.h"
#include "suites/suite_tasks.h"
#include "suites/training_set.h"
#include "tokenizer/builtin_tokenizer.h"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char *const kNames[] = {"d.jsonl", "d.json", "d.csv", "d.jsonl.gz", "d.csv.gz"};
    const auto *name = kNames[data[0] % 5];
    const auto path = slim::fuzz::scratchFile(name, slim::fuzz::bytesOf(data + 1, size - 1));
    try {
        (void)slim::suites::readRecords(path);
    } catch (const slim::data::DataError &) {
        return 0; // the file itself is refused: nothing is built from it
    }
    for (const auto &task : slim::suites::harnessTasks()) {
        slim::suites::SuiteSpec spec;
        spec.task = task.name;
        spec.data = path.string();
        spec.fewshot_data = path.string();
        spec.shots = 2;
        spec.limit = 50;
        try {
            (void)slim::suites::suiteTasks(spec);
        } catch (const slim::data::DataError &) {
        } catch (const std::invalid_argument &) {
        }
    }
    static const auto tokenizer = slim::tok::builtinTokenizer();
    for (const char *format : {"auto", "alpaca", "plain"}) {
        try {
            (void)slim::suites::trainingSetTask(path, format, tokenizer, true);
        } catch (const slim::data::DataError &) {
        }
    }
    return 0;
}
