#pragma once
// tokenizer.json "model" of type BPE: the vocabulary, the merges (as "a b" strings or [a, b]
// pairs) by rank, byte fallback to <0xNN> tokens, the unknown token (fused or not),
// ignore_merges (a word already in the vocabulary is one token), a continuing-subword prefix and
// end-of-word suffix. Words are merged lowest rank first, leftmost first among equal ranks, as
// the Rust library does; results are cached per word.

#include "json_access.h"

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace slim::tok {

class BpeModel
{
public:
    // Throws TokenizerError naming the JSON path: a merges entry naming an unknown token or
    // whose merged token is not in the vocabulary, a duplicate id, an unknown token missing.
    explicit BpeModel(const JsonAt &json);

    void tokenize(const std::string &word, std::vector<int64_t> &ids) const;

    const std::unordered_map<std::string, int64_t> &vocab() const { return m_vocab; }
    // "" when `id` is not in the vocabulary.
    const std::string &tokenOf(int64_t id) const;
    int64_t size() const { return int64_t(m_tokens.size()); }

private:
    struct Merge
    {
        int32_t rank;
        int64_t merged;
    };
    std::vector<int64_t> merge(const std::string &word) const;
    static uint64_t pairKey(int64_t a, int64_t b) { return (uint64_t(a) << 32) | uint64_t(b); }

    std::unordered_map<std::string, int64_t> m_vocab;
    std::vector<std::string> m_tokens; // by id ("" for gaps)
    std::unordered_map<uint64_t, Merge> m_merges;
    int64_t m_unk = -1;
    bool m_fuseUnk = false, m_byteFallback = false, m_ignoreMerges = false;
    std::string m_prefix, m_suffix;
    std::array<int64_t, 256> m_byteIds{};

    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int64_t>> m_cache;
};

} // namespace slim::tok
