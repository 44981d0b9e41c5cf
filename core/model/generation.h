#pragma once
// Text generation with a KV cache, greedy or sampled; device-agnostic (sampling draws on a
// seeded CPU generator, so a seed gives the same text on every device).

#include "causal_lm.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace slim::engine {

struct GenerationOptions
{
    int64_t max_new_tokens = 64;
    bool do_sample = false; // false: greedy
    double temperature = 1.0;
    int64_t top_k = 0;  // 0: off
    double top_p = 1.0; // 1: off
    uint64_t seed = 0;
    std::vector<int64_t> stop_token_ids; // generation of a sequence ends after one of these
    int64_t pad_token_id = 258;
    // Also ends a sequence when it returns true for (prompt index, tokens generated so far),
    // asked after each new token (e.g. a stop string appeared in the decoded text).
    std::function<bool(size_t, const std::vector<int64_t> &)> stop_when;
};

// Generates a continuation for each prompt (token ids, BOS included if wanted). Prompts are
// left-padded into one batch. Returns only the new tokens of each prompt, the stop token
// included when one was produced. `shouldStop` is polled once per step (cancellation).
std::vector<std::vector<int64_t>> generate(CausalLm &model,
                                           const std::vector<std::vector<int64_t>> &prompts,
                                           const GenerationOptions &options,
                                           const std::function<bool()> &shouldStop = {});

} // namespace slim::engine
