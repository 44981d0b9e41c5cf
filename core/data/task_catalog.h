#pragma once
// The built-in benchmark's tasks: build one by name, list them, hash them.
//
// General suite (Task::general, the forgetting probes; no train split):
//   brown_heldout  Text: the held-out Brown documents (bits per byte)
//   capitals       Choice, 4-way: "The capital of France is" -> "Paris"
//   continents     Choice among the 7 continents: "France is in" -> "Europe"
// Downstream tasks (train + test, balanced classes); the benchmark's mix is the first three:
//   name_gender    "Gender of Mary:" -> " female"; test 2-way choice
//   word_class     "Word class of quickly:" -> " adverb"; test 4-way choice (Brown's tags,
//                  fetched data)
//   reversal       "Reverse: abcd ->" -> " dcba"; test generation, exact match and
//                  per-character accuracy (needs attention: MLP-only adapters cannot learn it)
//   sentiment      "Review: ... Sentiment:" -> " positive"; test 2-way choice (fetched data;
//                  not learnable by the built-in model, kept for users' runs)
// Every item is a pure function of the sources and TaskOptions; see docs/data.md.

#include "data/data_locator.h"
#include "data/task.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slim::data {

inline constexpr uint64_t kDefaultTaskSeed = 20250101;

struct TaskOptions
{
    uint64_t seed = kDefaultTaskSeed; // splits, distractors and orders
    std::size_t trainSize = 2000; // downstream train examples (halved per class)
    std::size_t testSize = 400; // downstream test items (halved per class)
    // Downstream examples keep prompt + answer within this many bytes (the model adds BOS and
    // EOS: 126 fills a 128-position context); longer reviews are cut at a word boundary.
    std::size_t maxExampleBytes = 126;
};

std::vector<std::string> generalTaskNames(); // brown_heldout, capitals, continents
std::vector<std::string> downstreamTaskNames(); // name_gender, word_class, reversal, sentiment
std::vector<std::string> taskNames(); // general first, then downstream

// Builds the named task with its sha256 filled in. Throws DataError for an unknown name
// (listing the known ones), missing or malformed data, or sizes the data cannot satisfy.
Task buildTask(const std::string &name, const DataLocator &locator,
               const TaskOptions &options = {});

// The bytes that identify a task: name, version, kind, flags, delimiter, template and every
// item, each length-prefixed. Task::sha256 is the SHA-256 of this.
std::string canonicalTaskSerialisation(const Task &task);
std::string computeTaskSha256(const Task &task);

} // namespace slim::data
