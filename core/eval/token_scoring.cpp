#include "token_scoring.h"

#include "tokenizer/python_str.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace slim::engine {

namespace {

// Indices of `lengths` longest first; ties keep their order, so batching is deterministic.
std::vector<size_t> longestFirst(const std::vector<size_t> &lengths)
{
    std::vector<size_t> order(lengths.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    return order;
}

struct PaddedBatch
{
    torch::Tensor ids; // [B, L] int64, right-padded
    torch::Tensor mask; // [B, L] int64, 1 on real tokens
};

// Right padding keeps every real token at its unpadded position; causal attention keeps the
// padding out of the real tokens' results.
PaddedBatch padRight(const std::vector<const std::vector<int64_t> *> &rows, int64_t pad)
{
    size_t longest = 0;
    for (const auto *r : rows)
        longest = std::max(longest, r->size());
    const auto b = int64_t(rows.size()), l = int64_t(longest);
    PaddedBatch batch {torch::full({b, l}, pad, torch::kLong), torch::zeros({b, l}, torch::kLong)};
    for (int64_t i = 0; i < b; ++i) {
        const auto n = int64_t(rows[i]->size());
        batch.ids[i].slice(0, 0, n).copy_(torch::tensor(*rows[i], torch::kLong));
        batch.mask[i].slice(0, 0, n).fill_(1);
    }
    return batch;
}

} // namespace

EncodedPair encodePair(const EncodeFn &encode, std::string_view context,
                       std::string_view continuation)
{
    // lm-eval moves the context's trailing whitespace (Python's str.rstrip()) onto the
    // continuation.
    const size_t keep = tok::stripPythonSpace(context, false, true).size();
    std::string moved(context.substr(keep));
    moved += continuation;
    context = context.substr(0, keep);

    auto whole = encode(std::string(context) + moved);
    auto ctx = encode(context);
    if (ctx.size() > whole.size())
        throw std::logic_error("encodePair: the context encodes longer than context + "
                               "continuation");
    return {ctx, std::vector<int64_t>(whole.begin() + int64_t(ctx.size()), whole.end())};
}

ScoringRequest continuationRequest(const EncodedPair &pair, int64_t maxLength)
{
    if (maxLength < 1)
        throw std::invalid_argument("continuationRequest: maxLength must be >= 1");
    std::vector<int64_t> all = pair.context;
    all.insert(all.end(), pair.continuation.begin(), pair.continuation.end());
    if (int64_t(all.size()) > maxLength + 1)
        all.erase(all.begin(), all.end() - (maxLength + 1));
    const auto scored
        = std::min<int64_t>(int64_t(pair.continuation.size()), int64_t(all.size()) - 1);
    return {std::move(all), scored};
}

std::vector<ScoringRequest> rollingWindows(const std::vector<int64_t> &tokens, int64_t prefixToken,
                                           int64_t maxLength, int64_t stride)
{
    if (maxLength < 1 || stride < 1 || stride > maxLength)
        throw std::invalid_argument("rollingWindows: need 1 <= stride (" + std::to_string(stride)
                                    + ") <= maxLength (" + std::to_string(maxLength) + ")");
    std::vector<ScoringRequest> windows;
    const auto n = int64_t(tokens.size());
    if (n == 0)
        return windows;
    const auto first = std::min(maxLength, n);
    ScoringRequest w {{prefixToken}, first};
    w.tokens.insert(w.tokens.end(), tokens.begin(), tokens.begin() + first);
    windows.push_back(std::move(w));
    for (int64_t predicted = first; predicted < n;) {
        const auto count = std::min(n - predicted, stride);
        const auto end = predicted + count;
        // end >= maxLength + 1 here, so the window start is never negative.
        windows.push_back(
            {std::vector<int64_t>(tokens.begin() + (end - maxLength - 1), tokens.begin() + end),
             count});
        predicted = end;
    }
    return windows;
}

std::optional<std::vector<RequestScore>> scoreRequests(CausalLm &model,
                                                       const std::vector<ScoringRequest> &requests,
                                                       const BatchControl &control)
{
    torch::InferenceMode inference;
    std::vector<size_t> lengths;
    for (const auto &r : requests) {
        if (r.tokens.size() < 2 || r.scored < 0 || r.scored >= int64_t(r.tokens.size()))
            throw std::invalid_argument("scoreRequests: a request needs >= 2 tokens and "
                                        "0 <= scored < tokens");
        lengths.push_back(r.tokens.size());
    }
    const auto order = longestFirst(lengths);
    const auto batchSize = size_t(std::max<int64_t>(1, control.batch_size));
    const auto device = model->device();
    std::vector<RequestScore> out(requests.size());

    // Inputs are tokens[0..n-2]; the targets are tokens[1..n-1]. Only the scored positions'
    // logits are computed: a continuation is a few tokens of a long context, and logits over a
    // large vocabulary at every position would cost more than the model itself.
    std::vector<std::vector<int64_t>> inputs(batchSize);
    for (size_t start = 0; start < order.size(); start += batchSize) {
        if (control.should_stop && control.should_stop())
            return std::nullopt;
        const auto count = std::min(batchSize, order.size() - start);
        std::vector<const std::vector<int64_t> *> inputRows;
        std::vector<int64_t> rows, positions, targets;
        for (size_t i = 0; i < count; ++i) {
            const auto &r = requests[order[start + i]];
            const auto n = int64_t(r.tokens.size()) - 1; // input length
            inputs[i].assign(r.tokens.begin(), r.tokens.end() - 1);
            inputRows.push_back(&inputs[i]);
            for (int64_t pos = n - r.scored; pos < n; ++pos) {
                rows.push_back(int64_t(i));
                positions.push_back(pos);
                targets.push_back(r.tokens[size_t(pos) + 1]);
            }
        }
        auto in = padRight(inputRows, control.pad_token_id);
        auto hidden = model->hiddenStates(in.ids.to(device), in.mask.to(device)); // [B, L, d]
        auto scoredHidden = hidden.index({torch::tensor(rows, torch::kLong).to(device),
                                          torch::tensor(positions, torch::kLong).to(device)});
        auto logits = model->logitsFromHidden(scoredHidden); // [N, V]
        auto target = torch::tensor(targets, torch::kLong).to(device).unsqueeze(-1);
        auto picked = torch::log_softmax(logits, -1).gather(-1, target).squeeze(-1); // [N]
        auto greedy = logits.argmax(-1).eq(target.squeeze(-1)).cpu();
        picked = picked.to(torch::kDouble).cpu();
        auto p = picked.accessor<double, 1>();
        auto g = greedy.accessor<bool, 1>();
        for (size_t k = 0; k < rows.size(); ++k) {
            auto &score = out[order[start + size_t(rows[k])]];
            score.loglikelihood += p[int64_t(k)];
            score.is_greedy = score.is_greedy && g[int64_t(k)];
        }
        if (control.on_batch_done)
            control.on_batch_done(int64_t(count));
    }
    return out;
}

std::optional<torch::Tensor> lastPositionLogits(CausalLm &model,
                                                const std::vector<std::vector<int64_t>> &prompts,
                                                const BatchControl &control)
{
    torch::InferenceMode inference;
    std::vector<size_t> lengths;
    for (const auto &p : prompts) {
        if (p.empty())
            throw std::invalid_argument("lastPositionLogits: a prompt is empty");
        lengths.push_back(p.size());
    }
    const auto order = longestFirst(lengths);
    const auto batchSize = size_t(std::max<int64_t>(1, control.batch_size));
    const auto device = model->device();
    auto out = torch::zeros({int64_t(prompts.size()), model->config().vocab_size}, torch::kFloat);
    for (size_t start = 0; start < order.size(); start += batchSize) {
        if (control.should_stop && control.should_stop())
            return std::nullopt;
        const auto count = std::min(batchSize, order.size() - start);
        std::vector<const std::vector<int64_t> *> rows;
        std::vector<int64_t> last, destination;
        for (size_t i = 0; i < count; ++i) {
            rows.push_back(&prompts[order[start + i]]);
            last.push_back(int64_t(rows.back()->size()) - 1);
            destination.push_back(int64_t(order[start + i]));
        }
        auto in = padRight(rows, control.pad_token_id);
        auto hidden = model->hiddenStates(in.ids.to(device), in.mask.to(device)); // [B, L, d]
        auto index = torch::tensor(last, torch::kLong).to(device);
        auto lastHidden = hidden.index({torch::arange(int64_t(count), index.options()), index});
        auto logits = model->logitsFromHidden(lastHidden).cpu(); // [B, V]
        out.index_copy_(0, torch::tensor(destination, torch::kLong), logits);
        if (control.on_batch_done)
            control.on_batch_done(int64_t(count));
    }
    return out;
}

} // namespace slim::engine
