#include "trainer.h"

#include "checkpoint_manifest.h"
#include "rng_state.h"
#include "common/file_writes.h"
#include "common/sha256.h"
#include "model/model_io.h"
#include "model/safetensors.h"

#include <ATen/autocast_mode.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace slim::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char *kOptimizerFile = "optimizer.pt";
constexpr const char *kRngFile = "rng_state.safetensors";

// bf16 autocast for the scope of one forward/backward, on the model's device type.
class AutocastScope
{
public:
    AutocastScope(bool enabled, torch::Device device)
        : m_enabled(enabled)
        , m_cuda(device.is_cuda())
    {
        if (!m_enabled)
            return;
        if (m_cuda) {
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
            at::autocast::set_enabled(true);
        } else {
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
            at::autocast::set_cpu_enabled(true);
        }
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
        if (m_cuda)
            at::autocast::set_enabled(false);
        else
            at::autocast::set_cpu_enabled(false);
        at::autocast::clear_cache();
    }

private:
    bool m_enabled, m_cuda;
};

// Global-norm clipping without a host sync (torch's clip_grad_norm_ returns a double).
// Returns the norm before clipping, as a 0-d tensor.
torch::Tensor clipGradients(const std::vector<torch::Tensor> &params, double maxNorm)
{
    std::vector<torch::Tensor> norms;
    for (const auto &p : params) {
        if (p.grad().defined())
            norms.push_back(p.grad().detach().to(torch::kFloat).norm());
    }
    if (norms.empty())
        return torch::zeros({});
    auto total = torch::stack(norms).norm();
    if (maxNorm > 0) {
        auto coef = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        for (const auto &p : params) {
            if (p.grad().defined())
                p.grad().detach().mul_(coef.to(p.grad().scalar_type()));
        }
    }
    return total;
}

std::string stepFolder(int64_t step)
{
    std::ostringstream name;
    name << "step_" << std::setw(6) << std::setfill('0') << step;
    return name.str();
}

} // namespace

Trainer::Trainer(AdapterSet adapters, TrainOptions options, ExampleSource &source,
                 tok::Tokenizer tokenizer, RunObserver &observer, fs::path checkpointRoot,
                 std::string phase)
    : m_adapters(std::move(adapters))
    , m_model(m_adapters->model())
    , m_options(std::move(options))
    , m_source(source)
    , m_tokenizer(std::move(tokenizer))
    , m_observer(observer)
    , m_checkpointRoot(std::move(checkpointRoot))
    , m_phase(std::move(phase))
{
    if (m_options.batch_size < m_options.grad_accum || m_options.grad_accum < 1)
        throw std::invalid_argument("schedule.grad_accum: must be between 1 and batch_size");
    std::vector<torch::Tensor> decay, noDecay;
    for (auto &p : m_adapters->trainableParameters())
        (p.dim() >= 2 ? decay : noDecay).push_back(p);
    auto makeOptions = [&](double weightDecay) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(m_options.lr)
                .betas({m_options.adam_beta1, m_options.adam_beta2})
                .eps(m_options.adam_eps)
                .weight_decay(weightDecay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decay.empty())
        groups.emplace_back(decay, makeOptions(m_options.weight_decay));
    if (!noDecay.empty())
        groups.emplace_back(noDecay, makeOptions(0.0));
    m_optimizer = std::make_unique<torch::optim::AdamW>(groups,
                                                        torch::optim::AdamWOptions(m_options.lr));
}

Trainer::~Trainer() = default;

void Trainer::setLearningRate(double lr)
{
    for (auto &group : m_optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);
}

std::vector<double> Trainer::lmLosses() const
{
    std::vector<double> out;
    if (m_stepLosses.empty())
        return out;
    auto all = torch::stack(m_stepLosses).to(torch::kDouble).cpu();
    for (int64_t i = 0; i < all.size(0); ++i)
        out.push_back(all[i].item<double>());
    return out;
}

RunStatus Trainer::run(std::stop_token stop)
{
    const auto device = m_model->device();
    const int64_t microSize = m_options.batch_size / m_options.grad_accum;
    const bool bf16 = m_options.precision == "bf16";
    auto trainable = m_adapters->trainableParameters();
    const auto &adapter = m_adapters->config();
    if (m_options.packing && adapter.method == AdapterMethod::Slim
        && adapter.cluster_granularity == "sequence")
        throw std::invalid_argument("schedule.packing: not with adapter.cluster_granularity "
                                    "sequence (a packed row holds several examples)");
    if (m_options.gradient_checkpointing && adapter.aux_loss_coef > 0)
        throw std::invalid_argument("schedule.gradient_checkpointing: not with "
                                    "adapter.aux_loss_coef > 0 (the load-balancing loss is "
                                    "computed inside the replayed layers)");
    if (m_options.gradient_checkpointing && adapter.method == AdapterMethod::LoraMoe
        && adapter.blc_weight > 0)
        throw std::invalid_argument("schedule.gradient_checkpointing: not with "
                                    "adapter.blc_weight > 0 (LoRAMoE's balancing constraint is "
                                    "computed inside the replayed layers)");
    m_model->setGradientCheckpointing(m_options.gradient_checkpointing);
    m_adapters->train();
    auto lastProgress = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    const auto started = std::chrono::steady_clock::now();
    const int64_t firstStep = m_step;

    while (m_step < m_options.steps) {
        if (stop.stop_requested()) {
            saveCheckpoint();
            return RunStatus::Cancelled;
        }
        const auto t0 = std::chrono::steady_clock::now();
        setLearningRate(learningRateAt(m_options, m_step));
        m_optimizer->zero_grad();
        auto stepLoss = torch::zeros({}, torch::TensorOptions().device(device));
        int64_t stepTokens = 0;
        // The step's examples, sorted by length and cut into grad_accum micro-batches: short
        // examples are not padded to the longest one (a pure function of the step, so resume
        // stays exact).
        auto stepExamples = m_source.examples(m_step, 0, m_options.batch_size);
        std::stable_sort(stepExamples.begin(), stepExamples.end(),
                         [](const data::TextExample &a, const data::TextExample &b) {
                             return a.characters() < b.characters();
                         });
        for (int64_t micro = 0; micro < m_options.grad_accum; ++micro) {
            const auto first = stepExamples.begin() + std::ptrdiff_t(micro * microSize);
            auto batch = buildBatch({first, first + std::ptrdiff_t(microSize)}, m_tokenizer,
                                    batchOptions(m_options));
            m_truncatedSinceLog += batch.truncated;
            if (batch.lossTokens == 0)
                continue;
            stepTokens += (batch.mask > 0).sum().item<int64_t>();
            torch::Tensor lm;
            AdapterSetImpl::Regularisation reg;
            {
                AutocastScope autocast(bf16, device);
                auto logits = m_model->forward(batch.ids.to(device), batch.mask.to(device));
                lm = torch::nn::functional::cross_entropy(
                    logits.reshape({-1, logits.size(-1)}).to(torch::kFloat),
                    batch.labels.to(device).reshape({-1}),
                    torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
                reg = m_adapters->regularisation();
            }
            ((lm + reg.total) / double(m_options.grad_accum)).backward();
            stepLoss = stepLoss + lm.detach() / double(m_options.grad_accum);
            if (micro == m_options.grad_accum - 1 && m_adapters->config().method != AdapterMethod::Full) {
                auto l1 = reg.l1.detach(), aux = reg.aux.detach();
                m_l1SinceLog = m_l1SinceLog.defined() ? m_l1SinceLog + l1 : l1;
                m_auxSinceLog = m_auxSinceLog.defined() ? m_auxSinceLog + aux : aux;
            }
        }
        auto gradNorm = clipGradients(trainable, m_options.max_grad_norm);
        m_optimizer->step();
        m_stepLosses.push_back(stepLoss);
        m_lossSinceLog = m_lossSinceLog.defined() ? m_lossSinceLog + stepLoss : stepLoss;
        m_gradNormSinceLog = m_gradNormSinceLog.defined() ? m_gradNormSinceLog + gradNorm
                                                          : gradNorm;
        ++m_step;
        ++m_stepsSinceLog;
        m_tokensSinceLog += stepTokens;
        m_secondsSinceLog
            += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        const bool last = m_step == m_options.steps;
        if (m_step % std::max<int64_t>(1, m_options.log_every) == 0 || last)
            logStep(m_secondsSinceLog, m_tokensSinceLog);

        const auto now = std::chrono::steady_clock::now();
        if (now - lastProgress > std::chrono::milliseconds(100) || last) {
            lastProgress = now;
            const double elapsed = std::chrono::duration<double>(now - started).count();
            const double perStep = elapsed / double(std::max<int64_t>(1, m_step - firstStep));
            ProgressInfo p;
            p.phase = m_phase;
            p.done = m_step;
            p.total = m_options.steps;
            p.rate = elapsed > 0 ? double(m_step - firstStep) / elapsed : 0;
            p.rate_unit = "steps/s";
            p.eta_seconds = perStep * double(m_options.steps - m_step);
            m_observer.progress(p);
        }
        const bool evalDue = m_options.eval_every > 0 && m_step % m_options.eval_every == 0;
        if (evaluate && (evalDue || last)) {
            m_adapters->eval();
            evaluate(m_step, last);
            m_adapters->train();
        }
        const bool checkpointDue
            = m_options.checkpoint_every > 0 && m_step % m_options.checkpoint_every == 0;
        if (checkpointDue || last)
            saveCheckpoint();
    }
    return RunStatus::Succeeded;
}

void Trainer::logStep(double seconds, int64_t tokens)
{
    if (m_stepsSinceLog == 0)
        return;
    const double n = double(m_stepsSinceLog);
    std::vector<MetricSample> samples = {
        {m_step, "loss/lm", m_lossSinceLog.item<double>() / n},
        {m_step, "lr", learningRateAt(m_options, m_step - 1)},
        {m_step, "grad_norm", m_gradNormSinceLog.item<double>() / n},
        {m_step, "tokens_per_sec", seconds > 0 ? double(tokens) / seconds : 0},
        {m_step, "data/truncated_examples", double(m_truncatedSinceLog)},
    };
    if (m_l1SinceLog.defined()) {
        samples.push_back({m_step, "loss/l1", m_l1SinceLog.item<double>() / n});
        samples.push_back({m_step, "loss/aux", m_auxSinceLog.item<double>() / n});
    }
    m_observer.metrics(samples);
    auto routing = m_adapters->takeRoutingReports();
    if (!routing.empty())
        m_observer.routing(m_step, "train", routing);
    auto clusters = m_adapters->takeClusterReports();
    if (!clusters.empty())
        m_observer.clusters(m_step, "train", clusters);
    m_lossSinceLog = m_l1SinceLog = m_auxSinceLog = m_gradNormSinceLog = torch::Tensor();
    m_stepsSinceLog = 0;
    m_tokensSinceLog = 0;
    m_truncatedSinceLog = 0;
    m_secondsSinceLog = 0;
}

fs::path Trainer::saveCheckpoint()
{
    const auto name = stepFolder(m_step);
    const auto dir = m_checkpointRoot / name;
    const auto tmp = m_checkpointRoot / (name + ".tmp");
    try {
        fs::remove_all(tmp);
        fs::create_directories(tmp);
        m_adapters->save(tmp);
        torch::save(*m_optimizer, (tmp / kOptimizerFile).string());
        auto rng = captureRng();
        std::map<std::string, torch::Tensor> rngTensors = {{"cpu", rng.cpu}};
        if (rng.cuda.defined())
            rngTensors["cuda"] = rng.cuda;
        writeSafetensors(tmp / kRngFile, rngTensors);
        // The state with the manifest last, then the rename: a crash mid-save leaves only a
        // .tmp folder, never a half checkpoint.
        writeCheckpointState(tmp, {{"step", m_step}, {"phase", m_phase}, {"seed", m_options.seed}});
        fs::remove_all(dir);
        fs::rename(tmp, dir);
    } catch (const std::exception &e) {
        const int savedErrno = errno;
        std::error_code ignored;
        fs::remove_all(tmp, ignored);
        const auto *torchError = dynamic_cast<const c10::Error *>(&e);
        std::string cause = torchError ? torchError->what_without_backtrace() : e.what();
        // The operating system's reason is the news (the paths are in the detail).
        if (savedErrno != 0 && cause.find(std::strerror(savedErrno)) != std::string::npos)
            cause = common::writeFailureReason(tmp, savedErrno);
        else if (savedErrno != 0)
            cause += ": " + common::writeFailureReason(tmp, savedErrno);
        throw common::FileWriteError("cannot save checkpoint " + name + " in '"
                                     + m_checkpointRoot.string() + "': " + cause);
    }
    int64_t bytes = 0;
    for (auto &entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file())
            bytes += int64_t(entry.file_size());
    }
    // The weights identify a checkpoint; optimizer and RNG state only serve resuming.
    m_lastCheckpoint = {dir, manifestSha256(dir, weightsFileName()), bytes, m_step};
    m_observer.checkpointSaved(m_step, dir.string(), m_lastCheckpoint.sha256, bytes);
    return dir;
}

std::string Trainer::weightsFileName() const
{
    return m_adapters->config().method == AdapterMethod::Full ? "model.safetensors"
                                                              : "adapter_model.safetensors";
}

void Trainer::resumeFrom(const fs::path &checkpointDir)
{
    if (const auto problem = checkpointProblem(checkpointDir))
        throw CheckpointDamaged(checkpointDir, *problem);
    std::ifstream in(checkpointDir / kCheckpointStateFile);
    auto state = nlohmann::json::parse(in);
    const auto weightsFile = checkpointDir / weightsFileName();
    auto weights = readSafetensors(weightsFile);
    if (m_adapters->config().method == AdapterMethod::Full)
        assignTensors(*m_model, weights.tensors, weightsFile.string());
    else
        assignTensors(*m_adapters, weights.tensors, weightsFile.string());
    torch::load(*m_optimizer, (checkpointDir / kOptimizerFile).string());
    auto rng = readSafetensors(checkpointDir / kRngFile);
    RngState restored;
    restored.cpu = rng.tensors.at("cpu");
    if (rng.tensors.count("cuda"))
        restored.cuda = rng.tensors.at("cuda");
    restoreRng(restored);
    m_step = state.at("step").get<int64_t>();
    m_lastCheckpoint = {checkpointDir, manifestSha256(checkpointDir, weightsFileName()), 0, m_step};
}

} // namespace slim::engine
