#include "generation.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace slim::engine {

namespace {

// logits: [B, V] float32 on CPU -> next token ids [B]
torch::Tensor pickNext(torch::Tensor logits, const GenerationOptions &options,
                       at::Generator &generator)
{
    if (!options.do_sample)
        return logits.argmax(-1);
    logits = logits / std::max(options.temperature, 1e-6);
    if (options.top_k > 0 && options.top_k < logits.size(-1)) {
        auto kth = std::get<0>(logits.topk(options.top_k, -1)).select(-1, -1).unsqueeze(-1);
        logits = logits.masked_fill(logits < kth, -std::numeric_limits<float>::infinity());
    }
    if (options.top_p < 1.0) {
        auto [sorted, order] = logits.sort(-1, true);
        auto cumulative = torch::softmax(sorted, -1).cumsum(-1);
        // Drop a token when the tokens before it already reach top_p (the first always stays).
        auto drop = (cumulative - torch::softmax(sorted, -1)) >= options.top_p;
        sorted = sorted.masked_fill(drop, -std::numeric_limits<float>::infinity());
        logits = torch::full_like(logits, -std::numeric_limits<float>::infinity())
                     .scatter(-1, order, sorted);
    }
    auto probs = torch::softmax(logits, -1);
    return torch::multinomial(probs, 1, false, generator).squeeze(-1);
}

} // namespace

std::vector<std::vector<int64_t>> generate(CausalLm &model,
                                           const std::vector<std::vector<int64_t>> &prompts,
                                           const GenerationOptions &options,
                                           const std::function<bool()> &shouldStop)
{
    if (prompts.empty())
        return {};
    size_t longest = 0;
    for (const auto &p : prompts) {
        if (p.empty())
            throw std::invalid_argument("generate: a prompt is empty");
        longest = std::max(longest, p.size());
    }
    const auto b = int64_t(prompts.size());
    const auto device = model->device();
    torch::InferenceMode inference;

    auto ids = torch::full({b, int64_t(longest)}, options.pad_token_id, torch::kLong);
    auto mask = torch::zeros({b, int64_t(longest)}, torch::kLong);
    for (int64_t i = 0; i < b; ++i) {
        const auto &p = prompts[i];
        const auto offset = int64_t(longest - p.size());
        ids[i].slice(0, offset).copy_(torch::tensor(p, torch::kLong));
        mask[i].slice(0, offset).fill_(1);
    }
    ids = ids.to(device);
    mask = mask.to(device);

    auto generator = at::detail::createCPUGenerator(options.seed);
    std::vector<std::vector<int64_t>> out(b);
    std::vector<bool> done(b, false);
    KvCache cache;
    auto step = ids;
    for (int64_t t = 0; t < options.max_new_tokens; ++t) {
        if (shouldStop && shouldStop())
            break;
        auto logits = model->forward(step, mask, &cache).select(1, -1); // [B, V]
        auto next = pickNext(logits.cpu(), options, generator);          // [B] on CPU
        auto nextAcc = next.accessor<int64_t, 1>();
        bool allDone = true;
        for (int64_t i = 0; i < b; ++i) {
            if (done[i])
                continue;
            const auto token = nextAcc[i];
            out[i].push_back(token);
            if (std::find(options.stop_token_ids.begin(), options.stop_token_ids.end(), token)
                    != options.stop_token_ids.end()
                || (options.stop_when && options.stop_when(size_t(i), out[i])))
                done[i] = true;
            allDone = allDone && done[i];
        }
        if (allDone)
            break;
        step = next.unsqueeze(1).to(device);
        mask = torch::cat({mask, torch::ones({b, 1}, mask.options())}, 1);
    }
    return out;
}

} // namespace slim::engine
