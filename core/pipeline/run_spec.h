#pragma once
// The run spec: one JSON document describing a run (base model, method and its options, data,
// schedule, evaluation plan, seed). runSpecSchema() describes every field (type, range,
// default, help, methods); validateRunSpec() reports errors by field path; the GUI builds its
// forms from the schema. Example:
//   {"name": "slim-mds", "base_model": "builtin", "seed": 1,
//    "adapter": {"method": "slim", "lora_rank": 4},
//    "data": {"setting": "mds", "tasks": ["name_gender", "word_class", "reversal"]},
//    (or users' files: "tasks": ["data/boolq.jsonl", "data/piqa.jsonl"], "proportions": [2, 1])
//    "schedule": {"steps": 400, "lr": 5e-4}, "eval": {"every": 100}}

#include "adapters/adapter_config.h"
#include "spec/field_spec.h"
#include "train/train_options.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace slim::engine {

struct DataPlan
{
    std::string setting = "mds"; // "mds": one model on the mixture; "sds": one task
    // Built-in task names or training files (suites/training_set.h), mixed as the run trains.
    std::vector<std::string> tasks = {"name_gender", "word_class", "reversal"};
    std::vector<double> proportions; // one weight per task; empty: equal
    std::string prompt_format = "auto"; // training files: auto | chat | alpaca | plain
    int64_t train_examples_per_task = 2000;
};

struct EvalPlan
{
    std::vector<std::string> general_tasks = {"brown_heldout", "capitals", "continents"};
    // lm-eval suites on users' files, "TASK=FILE[;fewshot=FILE][;shots=N][;limit=K]"
    // (suites/suite_tasks.h): general ones measure forgetting, downstream ones learning.
    std::vector<std::string> suites;
    std::vector<std::string> downstream_suites;
    int64_t probe_items = 64;         // items per task in scheduled (probe) evaluations
    int64_t probe_texts = 2;          // texts per bits-per-byte task in probe evaluations
    std::string choice_mode = "both"; // "loglikelihood" | "label_logits" | "both"
    int64_t batch_size = 32;
    bool final_full = true;           // full test sets after the last step
    uint64_t seed = 20250;            // random state of evaluation (SLIM's sampled masks)
};

struct RunSpec
{
    std::string name = "run";
    std::string base_model = "builtin"; // "builtin" or a Hugging Face model folder
    std::string base_dtype = "auto";    // frozen base weights: auto | bf16 | f16 | f32
    std::string init_adapter;           // "" or an adapter folder to start from (PEFT or ours)
    uint64_t seed = 1234;
    AdapterConfig adapter;
    DataPlan data;
    TrainOptions schedule;
    EvalPlan eval;

    nlohmann::json toJson() const;
};

const std::vector<spec::FieldSpec> &runSpecSchema();
nlohmann::json runSpecSchemaJson(); // for the GUI and `slimctl schema`

// Every problem of `json`, each naming its field path (e.g. "schedule.lr: -1 is outside
// [0, 1]"), including unknown fields and fields that do not apply to the chosen method.
std::vector<spec::SpecError> validateRunSpec(const nlohmann::json &json);

// Validates and builds; throws std::invalid_argument listing every error, one per line.
// Fields not given take the schema's defaults (the method's own defaults for adapter fields).
RunSpec runSpecFromJson(const nlohmann::json &json);

// Presets: "builtin-<method>" (the paper's protocol scaled to the built-in model) and
// "paper-<method>" (the paper's settings for a real LLM).
std::vector<std::string> presetNames();
RunSpec preset(const std::string &name); // throws std::invalid_argument for an unknown name

} // namespace slim::engine
