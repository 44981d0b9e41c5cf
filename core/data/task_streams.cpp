#include "data/task_streams.h"

#include "data/data_locator.h"
#include "data/seeded_random.h"

#include <numeric>

namespace slim::data {

size_t TextExample::characters() const
{
    size_t n = prompt.size() + answer.size();
    for (const auto &segment : segments)
        n += segment.text.size();
    return n;
}

SingleTaskStream::SingleTaskStream(const Task &task, uint64_t seed)
    : m_taskName(task.name)
    , m_examples(task.train)
    , m_seed(deriveSeed(seed, task.name))
{
    if (m_examples.empty())
        throw DataError("task \"" + task.name + "\" has no train examples to stream");
    m_order.resize(m_examples.size());
    std::iota(m_order.begin(), m_order.end(), std::size_t(0));
    SeededRandom(deriveSeed(m_seed, uint64_t(0))).shuffle(m_order);
}

TextExample SingleTaskStream::next()
{
    if (m_position == m_order.size()) {
        ++m_epoch;
        m_position = 0;
        std::iota(m_order.begin(), m_order.end(), std::size_t(0));
        SeededRandom(deriveSeed(m_seed, uint64_t(m_epoch))).shuffle(m_order);
    }
    return m_examples[m_order[m_position++]];
}

std::vector<TextExample> SingleTaskStream::take(std::size_t count)
{
    std::vector<TextExample> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(next());
    return out;
}

MixedTaskStream::MixedTaskStream(const std::vector<Task> &tasks, uint64_t seed,
                                 std::vector<double> weights)
    : m_seed(seed)
{
    if (tasks.empty())
        throw DataError("a task mixture needs at least one task");
    if (weights.empty())
        weights.assign(tasks.size(), 1.0);
    if (weights.size() != tasks.size())
        throw DataError("a task mixture needs one weight per task");
    double total = 0;
    for (double weight : weights) {
        if (!(weight >= 0))
            throw DataError("task mixture weights must be >= 0");
        total += weight;
    }
    if (total <= 0)
        throw DataError("task mixture weights must have a positive sum");
    double cumulative = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        m_streams.emplace_back(tasks[i], seed);
        cumulative += weights[i] / total;
        m_cumulativeWeights.push_back(cumulative);
    }
}

TextExample MixedTaskStream::next()
{
    SeededRandom random(deriveSeed(deriveSeed(m_seed, "mixture"), m_draws++));
    const double u = random.unit();
    std::size_t index = 0;
    while (index + 1 < m_streams.size() && u >= m_cumulativeWeights[index])
        ++index;
    // Rounding can land on a trailing zero-weight task: step back to one with weight.
    while (index > 0 && m_cumulativeWeights[index] == m_cumulativeWeights[index - 1])
        --index;
    m_lastTaskName = m_streams[index].taskName();
    return m_streams[index].next();
}

std::vector<TextExample> MixedTaskStream::take(std::size_t count)
{
    std::vector<TextExample> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(next());
    return out;
}

} // namespace slim::data
