#pragma once
// The training loop shared by pretraining and fine-tuning: AdamW (decay on matrices only),
// warm-up + schedule, gradient accumulation and clipping, bf16 autocast, periodic metrics,
// routing and cluster reports, checkpoints, scheduled evaluation and exact resume.
// Runs synchronously on the caller's thread; polls the stop token at every optimizer step.

#include "batch_builder.h"
#include "train_options.h"
#include "adapters/adapter_set.h"
#include "events/run_observer.h"
#include "tokenizer/tokenizer.h"

#include <torch/optim/adamw.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>

namespace slim::engine {

// Supplies the examples of optimizer step `step` (the trainer asks for micro 0 and the whole
// batch, then splits it into length-sorted micro-batches). Must be a pure function of its
// arguments so a resumed run sees exactly the data it would have seen.
class ExampleSource
{
public:
    virtual ~ExampleSource() = default;
    virtual std::vector<data::TextExample> examples(int64_t step, int64_t micro,
                                                    int64_t count) = 0;
};

class Trainer
{
public:
    // The adapters are attached to `adapters->model()`; for full fine-tuning they train the
    // model itself. `tokenizer` turns the source's examples into ids (the model's own).
    // Checkpoints go to checkpointRoot/step_NNNNNN/.
    Trainer(AdapterSet adapters, TrainOptions options, ExampleSource &source,
            tok::Tokenizer tokenizer, RunObserver &observer, std::filesystem::path checkpointRoot,
            std::string phase = "train");
    ~Trainer();

    // Called after optimizer steps that are multiples of eval_every and after the last one
    // (final = true). Runs with the model in eval mode; the trainer restores training mode.
    std::function<void(int64_t step, bool final)> evaluate;

    // Trains from the current step to options.steps. Returns Cancelled when stopped (a
    // checkpoint of the last completed step is saved first), Succeeded otherwise; throws on
    // errors.
    RunStatus run(std::stop_token stop);

    // Restores weights, optimizer moments, step and random state from a checkpoint folder.
    // Throws CheckpointDamaged, before anything is loaded, when the folder fails its manifest
    // (checkpoint_manifest.h).
    void resumeFrom(const std::filesystem::path &checkpointDir);

    // Saves a checkpoint of the current step; returns its folder. Throws
    // common::FileWriteError naming the checkpoint and the cause (a full disk with its free
    // space) and leaves no partial folder.
    std::filesystem::path saveCheckpoint();

    int64_t step() const { return m_step; }

    struct SavedCheckpoint
    {
        std::filesystem::path dir;
        std::string sha256; // of the weights file
        int64_t bytes = 0;  // of the whole folder (0 for one resumed from)
        int64_t step = 0;
    };
    // The checkpoint saved last, or the one the run resumed from (dir empty when neither).
    const SavedCheckpoint &lastCheckpoint() const { return m_lastCheckpoint; }
    // LM loss of every optimizer step of this process (copied to the host on call).
    std::vector<double> lmLosses() const;

private:
    std::string weightsFileName() const;
    void setLearningRate(double lr);
    void logStep(double seconds, int64_t tokens);

    AdapterSet m_adapters;
    CausalLm m_model;
    TrainOptions m_options;
    ExampleSource &m_source;
    tok::Tokenizer m_tokenizer;
    RunObserver &m_observer;
    std::filesystem::path m_checkpointRoot;
    std::string m_phase;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    int64_t m_step = 0;
    SavedCheckpoint m_lastCheckpoint;
    std::vector<torch::Tensor> m_stepLosses; // 0-d, on the device: no sync per step
    torch::Tensor m_lossSinceLog, m_l1SinceLog, m_auxSinceLog, m_gradNormSinceLog;
    int64_t m_stepsSinceLog = 0, m_tokensSinceLog = 0;
    int64_t m_truncatedSinceLog = 0; // examples cut to max_length since the last log
    double m_secondsSinceLog = 0;
};

} // namespace slim::engine
