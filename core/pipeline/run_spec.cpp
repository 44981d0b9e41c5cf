#include "run_spec.h"

#include "adapters/adapter_schema.h"
#include "suites/suite_tasks.h"

#include <map>
#include <set>
#include <stdexcept>

namespace slim::engine {

namespace {

using spec::FieldSpec;
using spec::FieldType;

// Visits every non-adapter field with its path, so the schema's defaults, toJson and fromJson
// cannot drift apart.
template<typename Spec, typename Visitor>
void forEachField(Spec &s, Visitor &&v)
{
    v("name", s.name);
    v("base_model", s.base_model);
    v("base_dtype", s.base_dtype);
    v("init_adapter", s.init_adapter);
    v("seed", s.seed);
    v("data.setting", s.data.setting);
    v("data.tasks", s.data.tasks);
    v("data.proportions", s.data.proportions);
    v("data.prompt_format", s.data.prompt_format);
    v("data.train_examples_per_task", s.data.train_examples_per_task);
    auto &t = s.schedule;
    v("schedule.steps", t.steps);
    v("schedule.batch_size", t.batch_size);
    v("schedule.grad_accum", t.grad_accum);
    v("schedule.lr", t.lr);
    v("schedule.lr_schedule", t.lr_schedule);
    v("schedule.warmup_steps", t.warmup_steps);
    v("schedule.min_lr_ratio", t.min_lr_ratio);
    v("schedule.weight_decay", t.weight_decay);
    v("schedule.adam_beta1", t.adam_beta1);
    v("schedule.adam_beta2", t.adam_beta2);
    v("schedule.max_grad_norm", t.max_grad_norm);
    v("schedule.precision", t.precision);
    v("schedule.max_length", t.max_length);
    v("schedule.answer_only_loss", t.answer_only_loss);
    v("schedule.append_eos", t.append_eos);
    v("schedule.packing", t.packing);
    v("schedule.log_every", t.log_every);
    v("schedule.checkpoint_every", t.checkpoint_every);
    v("schedule.keep_checkpoints", t.keep_checkpoints);
    v("schedule.gradient_checkpointing", t.gradient_checkpointing);
    v("schedule.eval_every", t.eval_every);
    auto &e = s.eval;
    v("eval.general_tasks", e.general_tasks);
    v("eval.suites", e.suites);
    v("eval.downstream_suites", e.downstream_suites);
    v("eval.probe_items", e.probe_items);
    v("eval.probe_texts", e.probe_texts);
    v("eval.choice_mode", e.choice_mode);
    v("eval.batch_size", e.batch_size);
    v("eval.final_full", e.final_full);
    v("eval.seed", e.seed);
}

struct Meta
{
    FieldType type;
    double min, max;
    const char *help;
    std::vector<std::string> choices = {};
};

const std::map<std::string, Meta> &fieldMeta()
{
    const double inf = std::numeric_limits<double>::infinity();
    using T = FieldType;
    static const std::map<std::string, Meta> meta = {
        {"name", {T::String, -inf, inf, "A name for the run, shown in listings."}},
        {"base_model", {T::String, -inf, inf,
                        "\"builtin\" (the workbench's own pretrained model, built on first use) "
                        "or a Hugging Face model folder (config.json + model.safetensors)."}},
        {"base_dtype", {T::Choice, -inf, inf,
                        "dtype of the frozen base weights: auto (the checkpoint's own on a GPU, "
                        "f32 on a CPU), bf16, f16 or f32. Adapters, routers, cluster state and "
                        "optimizer stay f32.",
                        {"auto", "bf16", "f16", "f32"}}},
        {"init_adapter", {T::String, -inf, inf,
                          "An adapter folder to start from instead of a fresh initialisation: a "
                          "PEFT adapter trained elsewhere, or one exported from the workbench "
                          "(its method must be adapter.method). With schedule.steps 0 the run "
                          "only evaluates it, next to the workbench's own runs."}},
        {"seed", {T::Integer, 0, 9.007e15, "Seed of initialisation, data order and masks."}},
        {"data.setting", {T::Choice, -inf, inf,
                          "mds: one model on a mixture of the tasks; sds: one task.",
                          {"mds", "sds"}}},
        {"data.tasks", {T::StringList, -inf, inf,
                        "What to train on: built-in tasks (name_gender, word_class, reversal, "
                        "sentiment) or dataset files (.jsonl, .json, .csv, optionally .gz): "
                        "instruction data (alpaca, sharegpt, messages, completion, text) or a "
                        "task in its original shape (boolq, piqa, siqa, hellaswag, winogrande, "
                        "arc, openbookqa, gsm8k)."}},
        {"data.proportions", {T::NumberList, 0, 1e9,
                              "Mixing weight of each task, in order (mds); empty = equal."}},
        {"data.prompt_format", {T::Choice, -inf, inf,
                                "How dataset files become text: the model's chat template, "
                                "Stanford Alpaca's template, or plain prompt + completion; auto "
                                "= chat when the tokenizer has a template, else alpaca (plain "
                                "for completion and text data).",
                                {"auto", "chat", "alpaca", "plain"}}},
        {"data.train_examples_per_task", {T::Integer, 1, 1e7,
                                          "Training examples taken from each built-in task."}},
        {"schedule.steps", {T::Integer, 0, 1e8,
                            "Optimizer steps; 0 = only evaluate (an init_adapter, or the base)."}},
        {"schedule.batch_size", {T::Integer, 1, 65536, "Examples per optimizer step."}},
        {"schedule.grad_accum", {T::Integer, 1, 65536,
                                 "Micro-batches per step (batch_size must be a multiple)."}},
        {"schedule.lr", {T::Number, 0, 1, "Peak learning rate (paper: 2e-4)."}},
        {"schedule.lr_schedule", {T::Choice, -inf, inf, "Decay after warm-up.",
                                  {"constant", "cosine", "linear"}}},
        {"schedule.warmup_steps", {T::Integer, 0, 1e8, "Linear warm-up steps."}},
        {"schedule.min_lr_ratio", {T::Number, 0, 1, "Final lr of cosine/linear, as a fraction."}},
        {"schedule.weight_decay", {T::Number, 0, 10, "AdamW weight decay on matrices."}},
        {"schedule.adam_beta1", {T::Number, 0, 0.999999, "AdamW beta1."}},
        {"schedule.adam_beta2", {T::Number, 0, 0.999999999, "AdamW beta2."}},
        {"schedule.max_grad_norm", {T::Number, 0, 1e6, "Gradient clipping; 0 = off."}},
        {"schedule.precision", {T::Choice, -inf, inf, "fp32, or bf16 autocast.",
                                {"fp32", "bf16"}}},
        {"schedule.max_length", {T::Integer, 2, 1 << 20, "Tokens per example (BOS included)."}},
        {"schedule.answer_only_loss", {T::Boolean, -inf, inf,
                                       "Loss on the answers only (the assistant's turns), else "
                                       "on every token."}},
        {"schedule.append_eos", {T::Boolean, -inf, inf,
                                 "EOS token after each answer (chat-formatted text carries its "
                                 "own)."}},
        {"schedule.packing", {T::Boolean, -inf, inf,
                              "Pack several examples into each row of max_length tokens, each "
                              "attending only to itself with positions from 0."}},
        {"schedule.log_every", {T::Integer, 1, 1e8, "Steps between metric/routing reports."}},
        {"schedule.checkpoint_every", {T::Integer, 0, 1e8, "Steps between checkpoints; 0 = end."}},
        {"schedule.gradient_checkpointing", {T::Boolean, -inf, inf,
                                             "Keep only each decoder layer's input and replay "
                                             "the layer in backward: less activation memory, "
                                             "about a third more compute (not with "
                                             "adapter.aux_loss_coef > 0)."}},
        {"schedule.keep_checkpoints", {T::Integer, 0, 1e6,
                                       "Checkpoints kept: the last N, plus every evaluated or "
                                       "pinned one; 0 = keep all."}},
        {"schedule.eval_every", {T::Integer, 0, 1e8,
                                 "Steps between probe evaluations (forgetting curves); 0 = end."}},
        {"eval.general_tasks", {T::StringList, -inf, inf,
                                "General-suite tasks that measure forgetting."}},
        {"eval.suites", {T::StringList, -inf, inf,
                         "General suites (forgetting) from lm-evaluation-harness's tasks on "
                         "your files: TASK=FILE[;fewshot=FILE][;shots=N][;limit=K], e.g. "
                         "mmlu=mmlu_test.jsonl;fewshot=mmlu_dev.jsonl;shots=5."}},
        {"eval.downstream_suites", {T::StringList, -inf, inf,
                                    "Downstream suites (learning), written as eval.suites, "
                                    "e.g. boolq=boolq_validation.jsonl."}},
        {"eval.probe_items", {T::Integer, 1, 1e7, "Items per task in probe evaluations."}},
        {"eval.probe_texts", {T::Integer, 1, 1e7,
                              "Texts per bits-per-byte task in probe evaluations."}},
        {"eval.choice_mode", {T::Choice, -inf, inf,
                              "Multiple-choice scoring: log-likelihood (lm-eval), label-token "
                              "logits (the paper's harness) or both.",
                              {"loglikelihood", "label_logits", "both"}}},
        {"eval.batch_size", {T::Integer, 1, 65536, "Evaluation batch size."}},
        {"eval.final_full", {T::Boolean, -inf, inf, "Full test sets after the last step."}},
        {"eval.seed", {T::Integer, 0, 9.007e15, "Random state of evaluation."}},
    };
    return meta;
}

std::vector<FieldSpec> buildSchema()
{
    std::vector<FieldSpec> fields;
    RunSpec defaults;
    forEachField(defaults, [&](const std::string &path, const auto &value) {
        const auto &m = fieldMeta().at(path);
        FieldSpec f;
        f.path = path;
        f.type = m.type;
        f.min = m.min;
        f.max = m.max;
        f.help = m.help;
        f.choices = m.choices;
        f.default_value = value;
        f.folder = path == "base_model" || path == "init_adapter";
        f.files = path == "data.tasks";
        fields.push_back(f);
    });
    FieldSpec method;
    method.path = "adapter.method";
    method.type = FieldType::Choice;
    for (auto m : allMethods())
        method.choices.push_back(methodName(m));
    method.default_value = "slim";
    method.help = "Fine-tuning method.";
    fields.push_back(method);
    for (const auto &f : adapterFieldSpecs())
        fields.push_back(f);
    return fields;
}

const nlohmann::json *lookup(const nlohmann::json &json, const std::string &path)
{
    const nlohmann::json *node = &json;
    size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const auto key = path.substr(start, dot - start);
        if (!node->is_object() || !node->contains(key))
            return nullptr;
        node = &(*node)[key];
        if (dot == std::string::npos)
            return node;
        start = dot + 1;
    }
}

// Proportions match the tasks; suite entries parse.
void checkDataAndSuites(const nlohmann::json &json, std::vector<spec::SpecError> &errors)
{
    const auto *proportions = lookup(json, "data.proportions");
    if (proportions && !proportions->empty()) {
        const auto *tasks = lookup(json, "data.tasks");
        const size_t taskCount = tasks ? tasks->size() : DataPlan().tasks.size();
        if (proportions->size() != taskCount)
            errors.push_back({"data.proportions",
                              std::to_string(proportions->size()) + " weights for "
                                  + std::to_string(taskCount) + " tasks (one per task, or none)"});
        for (size_t i = 0; i < proportions->size(); ++i) {
            if ((*proportions)[i].get<double>() <= 0)
                errors.push_back({"data.proportions[" + std::to_string(i) + "]",
                                  "must be positive"});
        }
    }
    for (const char *path : {"eval.suites", "eval.downstream_suites"}) {
        const auto *entries = lookup(json, path);
        for (size_t i = 0; entries && i < entries->size(); ++i) {
            try {
                suites::parseSuiteEntry((*entries)[i].get<std::string>());
            } catch (const std::invalid_argument &e) {
                errors.push_back({std::string(path) + "[" + std::to_string(i) + "]", e.what()});
            }
        }
    }
}

} // namespace

const std::vector<FieldSpec> &runSpecSchema()
{
    static const std::vector<FieldSpec> schema = buildSchema();
    return schema;
}

nlohmann::json runSpecSchemaJson()
{
    nlohmann::json fields = nlohmann::json::array();
    for (const auto &f : runSpecSchema())
        fields.push_back(spec::fieldToJson(f));
    nlohmann::json methodDefaults;
    for (auto m : allMethods())
        methodDefaults[methodName(m)] = AdapterConfig::defaultsFor(m).toJson();
    return {{"fields", fields}, {"method_defaults", methodDefaults}, {"presets", presetNames()}};
}

std::vector<spec::SpecError> validateRunSpec(const nlohmann::json &json)
{
    std::vector<spec::SpecError> errors;
    if (!json.is_object())
        return {{"(spec)", "expected a JSON object"}};
    std::string method = "slim";
    if (const auto *m = lookup(json, "adapter.method"); m && m->is_string())
        method = m->get<std::string>();
    else if (!m)
        errors.push_back({"adapter.method", "missing (one of full, lora, dora, slim, mixlora, "
                                            "mixlora-dy, loramoe, mola)"});
    std::set<std::string> known;
    for (const auto &f : runSpecSchema()) {
        known.insert(f.path);
        const auto *value = lookup(json, f.path);
        if (!value)
            continue;
        if (!f.appliesTo(method)) {
            errors.push_back({f.path, "does not apply to method " + method});
            continue;
        }
        spec::checkField(f, *value, errors);
    }
    // Unknown fields, at any depth.
    std::function<void(const nlohmann::json &, const std::string &)> walk =
        [&](const nlohmann::json &node, const std::string &prefix) {
            for (auto &[key, value] : node.items()) {
                const auto path = prefix.empty() ? key : prefix + "." + key;
                const bool group = path == "adapter" || path == "data" || path == "schedule"
                                   || path == "eval";
                if (group && value.is_object())
                    walk(value, path);
                else if (group)
                    errors.push_back({path, "expected an object"});
                else if (!known.count(path))
                    errors.push_back({path, "unknown field"});
            }
        };
    walk(json, "");
    if (errors.empty()) {
        const auto batch = json.value("/schedule/batch_size"_json_pointer, int64_t(32));
        const auto accum = json.value("/schedule/grad_accum"_json_pointer, int64_t(1));
        if (batch % accum != 0)
            errors.push_back({"schedule.grad_accum", "batch_size (" + std::to_string(batch)
                                                         + ") must be a multiple of it"});
        if (json.value("/data/setting"_json_pointer, std::string("mds")) == "sds"
            && json.contains("data") && json["data"].contains("tasks")
            && json["data"]["tasks"].size() != 1)
            errors.push_back({"data.tasks", "the sds setting trains on exactly one task"});
        checkDataAndSuites(json, errors);
    }
    return errors;
}

RunSpec runSpecFromJson(const nlohmann::json &json)
{
    auto errors = validateRunSpec(json);
    if (!errors.empty()) {
        std::string text;
        for (const auto &e : errors)
            text += (text.empty() ? "" : "\n") + e.text();
        throw std::invalid_argument(text);
    }
    RunSpec spec;
    forEachField(spec, [&](const std::string &path, auto &value) {
        if (const auto *v = lookup(json, path))
            value = v->get<std::decay_t<decltype(value)>>();
    });
    spec.adapter = AdapterConfig::fromJson(json.at("adapter"));
    spec.schedule.seed = spec.seed;
    return spec;
}

nlohmann::json RunSpec::toJson() const
{
    nlohmann::json json;
    forEachField(*this, [&](const std::string &path, const auto &value) {
        json[nlohmann::json::json_pointer("/" + [&] {
            std::string p = path;
            for (auto &c : p)
                c = c == '.' ? '/' : c;
            return p;
        }())] = value;
    });
    json["adapter"] = adapter.toJson();
    return json;
}

} // namespace slim::engine
