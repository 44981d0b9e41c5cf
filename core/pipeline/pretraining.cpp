#include "pretraining.h"

#include "example_sources.h"
#include "common/sha256.h"
#include "common/file_writes.h"
#include "experiment.h"
#include "suite_evaluator.h"
#include "data/task_catalog.h"
#include "tokenizer/builtin_tokenizer.h"
#include "model/model_io.h"
#include "train/trainer.h"

#include <torch/torch.h>

#include <fstream>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {
constexpr const char *kPlanFile = "slim_pretrain.json";

// Collects the general-suite scores to write them beside the model.
class ScoreCollector : public RunObserver
{
public:
    void evalResults(const std::vector<EvalRecord> &records) override
    {
        for (const auto &r : records)
            scores.push_back({{"task", r.task}, {"metric", r.metric}, {"mode", r.mode},
                              {"value", r.value}, {"stderr", r.stderr_},
                              {"floor", r.floor ? nlohmann::json(*r.floor) : nlohmann::json()}});
    }
    nlohmann::json scores = nlohmann::json::array();
};
} // namespace

PretrainPlan PretrainPlan::builtin()
{
    PretrainPlan p;
    p.model.hidden_size = 192;
    p.model.intermediate_size = 512;
    p.model.num_hidden_layers = 4;
    p.model.num_attention_heads = 6;
    p.model.num_key_value_heads = 6;
    p.model.max_position_embeddings = 128;
    auto &s = p.schedule;
    s.steps = 2000; // capitals and continents 100 %, held-out Brown 2.19 bits per byte
    s.batch_size = 32;
    s.lr = 2e-3;
    s.lr_schedule = "cosine";
    s.warmup_steps = 50;
    s.min_lr_ratio = 0.1;
    s.weight_decay = 0.1;
    s.adam_beta1 = 0.9;
    s.adam_beta2 = 0.95;
    s.max_grad_norm = 1.0;
    s.max_length = 128;
    s.answer_only_loss = false;
    s.append_eos = false;
    s.log_every = 10;
    s.checkpoint_every = 200;
    return p;
}

nlohmann::json PretrainPlan::toJson() const
{
    return {{"model", model.toJson()},
            {"schedule",
             {{"steps", schedule.steps}, {"batch_size", schedule.batch_size}, {"lr", schedule.lr},
              {"warmup_steps", schedule.warmup_steps}, {"lr_schedule", schedule.lr_schedule},
              {"weight_decay", schedule.weight_decay}, {"max_length", schedule.max_length}}},
            {"corpus", {{"fact_fraction", corpus.factFraction}, {"max_row_bytes", corpus.maxRowBytes}}},
            {"seed", seed}};
}

bool isCompleteModel(const fs::path &dir)
{
    return fs::exists(dir / kPlanFile) && fs::exists(dir / "config.json")
           && fs::exists(dir / "model.safetensors");
}

std::string builtinRecipeSha256()
{
    return common::sha256Hex(PretrainPlan::builtin().toJson().dump());
}

bool isCurrentBuiltinModel(const fs::path &dir, bool exact)
{
    if (!isCompleteModel(dir))
        return false;
    std::ifstream in(dir / kPlanFile);
    const auto written = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!written.is_object() || written.value("recipe_sha256", "") != builtinRecipeSha256())
        return false;
    return !exact || written.value("plan", nlohmann::json()) == PretrainPlan::builtin().toJson();
}

RunOutcome runPretraining(const PretrainPlan &plan, const fs::path &outDir, const fs::path &workDir,
                          const data::DataLocator &locator, RunObserver &observer,
                          std::stop_token stop, const std::optional<fs::path> &resume,
                          const std::string &deviceName)
{
    try {
        const auto device = chooseDevice(deviceName);
        auto corpusOptions = plan.corpus;
        corpusOptions.seed = plan.seed;
        observer.log("loading the pretraining corpus");
        data::PretrainCorpus corpus(locator, corpusOptions);
        torch::manual_seed(plan.seed);
        CausalLm model(plan.model);
        model->to(device);
        AdapterSet full(model, AdapterConfig::defaultsFor(AdapterMethod::Full));
        RunPrepared prepared;
        prepared.device = device.str();
        prepared.versions = engineVersions();
        prepared.dataset_hashes["pretrain_corpus"] = corpus.fingerprint();
        prepared.trainable_parameters = full->trainableParameterCount();
        observer.prepared(prepared);

        auto schedule = plan.schedule;
        schedule.seed = plan.seed;
        PretrainExampleSource source(corpus, schedule.batch_size);
        Trainer trainer(full, schedule, source, tok::builtinTokenizer(), observer,
                        workDir / "checkpoints", "pretrain");
        if (resume)
            trainer.resumeFrom(*resume);
        if (trainer.run(stop) == RunStatus::Cancelled)
            return {RunStatus::Cancelled,
                    "pretraining cancelled at step " + std::to_string(trainer.step())
                        + "; resume it to continue",
                    ""};

        // Write the model beside its final place, then rename: never a half-written model.
        const auto tmp = fs::path(outDir.string() + ".tmp");
        fs::remove_all(tmp);
        saveModel(model, tmp);
        tok::writeBuiltinTokenizer(tmp);

        std::vector<data::Task> general;
        for (const auto &name : data::generalTaskNames())
            general.push_back(data::buildTask(name, locator));
        EvalPlan evalPlan;
        evalPlan.choice_mode = "both";
        ScoreCollector collector;
        ObserverFanout fanout({&observer, &collector});
        SuiteEvaluator evaluator(general, tok::builtinTokenizer(), evalPlan, fanout, nullptr);
        evaluator.scoreFloor(model->config(), model->device(), torch::kFloat, stop); // untrained
        model->eval();
        if (!evaluator.scoreRun(model, nullptr, trainer.step(), true, true, stop))
            return {RunStatus::Cancelled, "cancelled while scoring the new model", ""};
        common::writeTextFile(tmp / kPlanFile, nlohmann::json{{"plan", plan.toJson()},
                                                              {"recipe_sha256", builtinRecipeSha256()},
                                                              {"general_scores", collector.scores}}
                                                   .dump(2)
                                                   + '\n');
        fs::remove_all(outDir);
        fs::create_directories(outDir.parent_path());
        fs::rename(tmp, outDir);
        observer.artifactSaved("base_model", outDir.string(),
                               common::sha256HexOfFile(outDir / "model.safetensors"),
                               int64_t(fs::file_size(outDir / "model.safetensors")));
        return {RunStatus::Succeeded, "base model written to " + outDir.string(), ""};
    } catch (const std::exception &e) {
        return {RunStatus::Failed, std::string("pretraining failed: ") + e.what(), e.what()};
    }
}

} // namespace slim::engine
