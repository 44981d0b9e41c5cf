#pragma once
// Arguments of slimctl's commands, filled by the CLI11 wiring in commands.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slim::cli {

struct GlobalOptions
{
    std::string database; // --db
    std::string device;   // --device ("" = CUDA when available, else CPU)
    bool json = false;    // --json
    bool quiet = false;   // --quiet: no progress line
};

// A base model folder and an optional adapter (PEFT or the workbench's format).
struct ModelArgs
{
    std::string model;   // Hugging Face model folder
    std::string adapter; // "" = none
    std::string dtype;   // "" = f32 on a CPU, the checkpoint's dtype on a GPU
    std::optional<std::uint64_t> seed; // random state of sampled masks (default: eval.seed's)
};

struct TrainArgs
{
    std::string spec;   // a JSON file or a preset name
    std::string model;  // "" = the spec's base_model
    std::string name;
    int64_t steps = 0;  // > 0 overrides schedule.steps
    std::vector<std::string> tags;
};

struct PretrainArgs
{
    std::string out;    // "" = the built-in model folder
    int64_t steps = 0;  // > 0 overrides the plan (tests and quick looks)
    bool force = false; // rebuild even when the model exists
};

struct DemoArgs
{
    std::vector<std::string> methods; // empty = all eight
    int64_t steps = 0;                // > 0 overrides the presets' steps
    int64_t pretrainSteps = 0;        // > 0 overrides the base model's steps
};

struct BenchmarkArgs
{
    std::vector<std::string> methods; // empty = all eight
    int64_t seeds = 3;
    bool noAblations = false;
    int64_t steps = 0;         // > 0 overrides the presets' steps
    int64_t pretrainSteps = 0; // > 0 overrides the base model's steps
    std::string model;         // a base model folder instead of the built-in one
    std::string format = "md"; // the table: md, csv or latex
    bool tableOnly = false;    // print the table of what is recorded, run nothing
};

struct RunsArgs
{
    std::string text, method, status, tag;
    int limit = 50;
};

struct ExportArgs
{
    std::string run;
    std::string table = "eval"; // eval | metrics | routing | clusters
    std::string out;            // "" = stdout
};

struct EvalArgs
{
    ModelArgs model;
    std::vector<std::string> tasks;
    std::string mode = "both";
    int64_t maxItems = 0;
    // An lm-evaluation-harness suite on a dataset file instead of the built-in tasks.
    std::string suite, data, fewshotData;
    std::optional<int64_t> shots;
    int64_t limit = 0;
    std::string samples; // JSON Lines of every scored item, lm-eval's per-sample logs
};

int cmdPretrain(const GlobalOptions &g, const PretrainArgs &a);
int cmdTrain(const GlobalOptions &g, const TrainArgs &a);
int cmdResume(const GlobalOptions &g, const std::string &run);
int cmdDemo(const GlobalOptions &g, const DemoArgs &a);
// Runs what the benchmark plan (jobs::benchmarkPlan) has not finished: recorded successes are
// kept, interrupted or failed runs resume, the rest are queued and run; prints the table.
int cmdBenchmark(const GlobalOptions &g, const BenchmarkArgs &a);
int cmdEval(const GlobalOptions &g, const EvalArgs &a);
int cmdPresets(const GlobalOptions &g);
int cmdSchema();
int cmdRuns(const GlobalOptions &g, const RunsArgs &a);
int cmdShow(const GlobalOptions &g, const std::string &run);
// `format`: "text" (the comparison, or JSON with --json), or "md" / "csv" / "latex" (the
// methods x tasks table over seeds).
int cmdCompare(const GlobalOptions &g, const std::vector<std::string> &runs,
               const std::string &format);
int cmdExport(const GlobalOptions &g, const ExportArgs &a);

struct ExportAdapterArgs
{
    std::string run;
    std::string format = "peft"; // peft | slim
    std::string out;
    std::optional<std::int64_t> step; // "" = the latest checkpoint
};

struct ExportMergedArgs
{
    std::string run;
    std::string out;
    std::string dtype; // "" = the base's
    std::optional<std::int64_t> step;
    std::string routing; // SLIM: "mean" (default: the run's recorded routing) or "w1,w2,..."
};

struct PinArgs
{
    std::string run;
    std::int64_t step = 0;
    bool unpin = false;
};

struct PruneArgs
{
    std::string run;
    std::int64_t keep = -1; // < 0: the run's schedule.keep_checkpoints
};

struct DeleteArgs
{
    std::vector<std::string> runs;
    bool files = false; // the run folders too
};

struct ImportAdapterArgs
{
    std::string adapter; // a PEFT adapter or a workbench export
    std::string model;   // the base it was trained on
    std::string name;
    std::vector<std::string> tags;
};

// Records and runs the evaluation of an adapter trained elsewhere (a run with init_adapter and
// schedule.steps 0), so compare shows it next to the workbench's runs.
int cmdImportAdapter(const GlobalOptions &g, const ImportAdapterArgs &a);
int cmdPin(const GlobalOptions &g, const PinArgs &a);
int cmdPrune(const GlobalOptions &g, const PruneArgs &a);
int cmdDelete(const GlobalOptions &g, const DeleteArgs &a);
int cmdExportAdapter(const GlobalOptions &g, const ExportAdapterArgs &a);
int cmdExportMerged(const GlobalOptions &g, const ExportMergedArgs &a);

} // namespace slim::cli
