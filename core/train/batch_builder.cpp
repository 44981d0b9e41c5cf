#include "batch_builder.h"

#include <torch/torch.h>

#include <algorithm>

namespace slim::engine {

TokenBatch buildBatch(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, int64_t maxLength, bool answerOnly,
                      bool appendEos)
{
    std::vector<std::vector<int64_t>> rows;
    std::vector<int64_t> answerStart;
    for (const auto &ex : examples) {
        auto ids = tokenizer.encode(ex.prompt, true);
        const auto start = int64_t(ids.size());
        auto answer = tokenizer.encode(ex.answer, false);
        if (appendEos && tokenizer.eosId())
            answer.push_back(*tokenizer.eosId());
        ids.insert(ids.end(), answer.begin(), answer.end());
        if (int64_t(ids.size()) > maxLength)
            ids.resize(size_t(maxLength));
        const bool hasLoss = answerOnly ? start < int64_t(ids.size()) : ids.size() > 1;
        if (!hasLoss)
            continue;
        rows.push_back(std::move(ids));
        answerStart.push_back(start);
    }
    TokenBatch batch;
    const auto b = int64_t(rows.size());
    int64_t s = 1;
    for (const auto &r : rows)
        s = std::max(s, int64_t(r.size()));
    batch.ids = torch::full({b, s}, tokenizer.paddingId(), torch::kLong);
    batch.mask = torch::zeros({b, s}, torch::kLong);
    batch.labels = torch::full({b, s}, -100, torch::kLong);
    auto ids = batch.ids.accessor<int64_t, 2>();
    auto mask = batch.mask.accessor<int64_t, 2>();
    auto labels = batch.labels.accessor<int64_t, 2>();
    for (int64_t i = 0; i < b; ++i) {
        const auto &r = rows[size_t(i)];
        const auto n = int64_t(r.size());
        for (int64_t t = 0; t < n; ++t) {
            ids[i][t] = r[size_t(t)];
            mask[i][t] = 1;
        }
        // Position t predicts token t + 1.
        const int64_t firstTarget = answerOnly ? answerStart[size_t(i)] : 1;
        for (int64_t t = std::max<int64_t>(firstTarget, 1); t < n; ++t) {
            labels[i][t - 1] = r[size_t(t)];
            ++batch.lossTokens;
        }
    }
    return batch;
}

} // namespace slim::engine
