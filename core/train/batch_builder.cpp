#include "batch_builder.h"

#include <torch/torch.h>

#include <algorithm>

namespace slim::engine {

BatchOptions batchOptions(const TrainOptions &options)
{
    return {options.max_length, options.answer_only_loss, options.append_eos, options.packing};
}

TokenizedExample tokenizeExample(const data::TextExample &example, const tok::Tokenizer &tokenizer,
                                 const BatchOptions &options)
{
    TokenizedExample out;
    bool lastTarget = true; // the EOS ends the answer (or the last segment) and shares its loss
    auto append = [&](const std::string &text, bool addSpecial, bool target) {
        lastTarget = target;
        const auto ids = tokenizer.encode(text, addSpecial);
        out.ids.insert(out.ids.end(), ids.begin(), ids.end());
        out.isTarget.insert(out.isTarget.end(), ids.size(), target ? 1 : 0);
    };
    const bool eos = options.appendEos && !example.own_special_tokens && tokenizer.eosId();
    if (example.segments.empty()) {
        append(example.prompt, true, !options.answerOnly);
        append(example.answer, false, true);
    } else {
        for (size_t i = 0; i < example.segments.size(); ++i) {
            const auto &segment = example.segments[i];
            append(segment.text, i == 0 && !example.own_special_tokens,
                   segment.trained || !options.answerOnly);
        }
    }
    if (eos) {
        out.ids.push_back(*tokenizer.eosId());
        out.isTarget.push_back(lastTarget ? 1 : 0);
    }
    if (!out.isTarget.empty())
        out.isTarget[0] = 0; // nothing predicts the first token
    if (int64_t(out.ids.size()) > options.maxLength) {
        out.truncated = true;
        out.ids.resize(size_t(options.maxLength));
        out.isTarget.resize(size_t(options.maxLength));
    }
    return out;
}

TokenBatch buildBatch(const std::vector<data::TextExample> &examples,
                      const tok::Tokenizer &tokenizer, const BatchOptions &options)
{
    TokenBatch batch;
    std::vector<std::vector<const TokenizedExample *>> rows;
    std::vector<TokenizedExample> tokenized;
    tokenized.reserve(examples.size());
    for (const auto &example : examples) {
        auto t = tokenizeExample(example, tokenizer, options);
        batch.truncated += t.truncated ? 1 : 0;
        if (std::find(t.isTarget.begin(), t.isTarget.end(), 1) == t.isTarget.end()) {
            ++batch.dropped;
            continue;
        }
        tokenized.push_back(std::move(t));
    }
    int64_t rowLength = 0;
    for (const auto &t : tokenized) {
        const auto n = int64_t(t.ids.size());
        if (rows.empty() || !options.pack || rowLength + n > options.maxLength) {
            rows.emplace_back();
            rowLength = 0;
        }
        rows.back().push_back(&t);
        rowLength += n;
    }
    const auto b = int64_t(rows.size());
    int64_t s = 1;
    for (const auto &row : rows) {
        int64_t n = 0;
        for (const auto *t : row)
            n += int64_t(t->ids.size());
        s = std::max(s, n);
    }
    batch.ids = torch::full({b, s}, tokenizer.paddingId(), torch::kLong);
    batch.mask = torch::zeros({b, s}, torch::kLong);
    batch.labels = torch::full({b, s}, -100, torch::kLong);
    auto ids = batch.ids.accessor<int64_t, 2>();
    auto mask = batch.mask.accessor<int64_t, 2>();
    auto labels = batch.labels.accessor<int64_t, 2>();
    for (int64_t i = 0; i < b; ++i) {
        int64_t offset = 0, number = 0;
        for (const auto *t : rows[size_t(i)]) {
            ++number;
            const auto n = int64_t(t->ids.size());
            for (int64_t k = 0; k < n; ++k) {
                ids[i][offset + k] = t->ids[size_t(k)];
                mask[i][offset + k] = number;
                // Position offset + k - 1 predicts token k; never across examples.
                if (k > 0 && t->isTarget[size_t(k)]) {
                    labels[i][offset + k - 1] = t->ids[size_t(k)];
                    ++batch.lossTokens;
                }
            }
            offset += n;
        }
    }
    return batch;
}

} // namespace slim::engine
