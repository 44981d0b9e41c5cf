#pragma once
// Endless, seeded streams of downstream training examples:
// SDS (single-dataset setting: one task) and MDS (multi-dataset: a mixture of several tasks).

#include "data/task.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slim::data {

// One task's train examples, reshuffled at every epoch. Copies the examples, so the Task may
// go away. Not thread-safe. Throws DataError when the task has no train examples.
class SingleTaskStream
{
public:
    SingleTaskStream(const Task &task, uint64_t seed);

    TextExample next();
    std::vector<TextExample> take(std::size_t count);

    const std::string &taskName() const { return m_taskName; }
    std::size_t epoch() const { return m_epoch; } // completed passes over the train split

private:
    std::string m_taskName;
    std::vector<TextExample> m_examples;
    std::vector<std::size_t> m_order;
    std::size_t m_position = 0;
    std::size_t m_epoch = 0;
    uint64_t m_seed;
};

// Interleaves several tasks' train examples: each draw picks a task with probability
// proportional to its weight (equal weights when `weights` is empty), then that task's next
// example. Deterministic for a given seed and task order. Not thread-safe.
class MixedTaskStream
{
public:
    MixedTaskStream(const std::vector<Task> &tasks, uint64_t seed,
                    std::vector<double> weights = {});

    TextExample next();
    std::vector<TextExample> take(std::size_t count);

    // Name of the task the last next() drew from (empty before the first draw).
    const std::string &lastTaskName() const { return m_lastTaskName; }

private:
    std::vector<SingleTaskStream> m_streams;
    std::vector<double> m_cumulativeWeights;
    uint64_t m_seed;
    uint64_t m_draws = 0;
    std::string m_lastTaskName;
};

} // namespace slim::data
