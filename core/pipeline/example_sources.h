#pragma once
// Training data for the Trainer: downstream task streams (SDS/MDS) and pretraining rows, each a
// pure function of (step, micro-batch) so resumed runs see the same data.

#include "train/trainer.h"
#include "data/pretrain_corpus.h"

#include <vector>

namespace slim::engine {

// Draws `total` examples from the SDS or MDS stream up front (a few MB at most), then serves
// them in order: step s, micro m, item i is example (s * batch + m * count + i) mod total.
class TaskExampleSource : public ExampleSource
{
public:
    // weights: the MDS mix's proportions, one per task (empty: equal).
    TaskExampleSource(const std::vector<data::Task> &tasks, uint64_t seed, int64_t total,
                      int64_t batchSize, std::vector<double> weights = {});
    std::vector<data::TextExample> examples(int64_t step, int64_t micro, int64_t count) override;
    const std::vector<data::TextExample> &all() const { return m_examples; }

private:
    std::vector<data::TextExample> m_examples;
    int64_t m_batchSize;
};

// Pretraining rows as answer-only text (empty prompt), loss on every byte.
class PretrainExampleSource : public ExampleSource
{
public:
    PretrainExampleSource(const data::PretrainCorpus &corpus, int64_t batchSize);
    std::vector<data::TextExample> examples(int64_t step, int64_t micro, int64_t count) override;

private:
    const data::PretrainCorpus &m_corpus;
    int64_t m_batchSize;
};

} // namespace slim::engine
