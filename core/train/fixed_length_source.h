#pragma once
// Training examples that fill max_length exactly (an answer of `length` repeated letters, cut
// to max_length by the batch builder, every token with loss): the worst case a memory estimate
// speaks of. For measuring the trainer (bench/bench_memory, tst_memory_estimate).

#include "train/trainer.h"

namespace slim::engine {

class FixedLengthSource : public ExampleSource
{
public:
    explicit FixedLengthSource(int64_t length)
        : m_length(length)
    {
    }
    std::vector<data::TextExample> examples(int64_t step, int64_t, int64_t count) override
    {
        std::vector<data::TextExample> out;
        for (int64_t i = 0; i < count; ++i) {
            // All answer: every token carries the loss, with or without answer_only_loss.
            out.emplace_back("", std::string(size_t(m_length), char('a' + (step + i) % 26)));
        }
        return out;
    }

private:
    int64_t m_length;
};

} // namespace slim::engine
