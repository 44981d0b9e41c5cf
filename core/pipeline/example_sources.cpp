#include "example_sources.h"

#include "data/task_streams.h"

#include <stdexcept>

namespace slim::engine {

TaskExampleSource::TaskExampleSource(const std::vector<data::Task> &tasks, uint64_t seed,
                                     int64_t total, int64_t batchSize,
                                     std::vector<double> weights)
    : m_batchSize(batchSize)
{
    if (tasks.empty()) {
        return; // an evaluation-only run; examples() refuses
    } else if (tasks.size() == 1) {
        data::SingleTaskStream stream(tasks.front(), seed);
        m_examples = stream.take(size_t(total));
    } else {
        data::MixedTaskStream stream(tasks, seed, std::move(weights));
        m_examples = stream.take(size_t(total));
    }
}

std::vector<data::TextExample> TaskExampleSource::examples(int64_t step, int64_t micro,
                                                           int64_t count)
{
    if (m_examples.empty())
        throw std::invalid_argument("data.tasks: nothing to train on");
    std::vector<data::TextExample> out;
    const int64_t first = step * m_batchSize + micro * count;
    const auto n = int64_t(m_examples.size());
    for (int64_t i = 0; i < count; ++i)
        out.push_back(m_examples[size_t((first + i) % n)]);
    return out;
}

PretrainExampleSource::PretrainExampleSource(const data::PretrainCorpus &corpus,
                                             int64_t batchSize)
    : m_corpus(corpus)
    , m_batchSize(batchSize)
{}

std::vector<data::TextExample> PretrainExampleSource::examples(int64_t step, int64_t micro,
                                                               int64_t count)
{
    std::vector<data::TextExample> out;
    for (auto &row : m_corpus.rows(uint64_t(step * m_batchSize + micro * count), size_t(count)))
        out.push_back({"", std::move(row)});
    return out;
}

} // namespace slim::engine
