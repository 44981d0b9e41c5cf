#include "bpe_model.h"

#include "unicode_text.h"

#include <cstdio>
#include <queue>

namespace slim::tok {

namespace {

constexpr size_t kCacheCapacity = 50000;
constexpr size_t kCachedWordLength = 256;

} // namespace

BpeModel::BpeModel(const JsonAt &json)
{
    const auto vocab = json["vocab"];
    for (const auto &[token, idJson] : vocab.object().items()) {
        const JsonAt at{idJson, vocab.path + "[\"" + token + "\"]"};
        const auto id = at.integer();
        if (id < 0 || id > int64_t(INT32_MAX))
            at.fail("id out of range");
        if (size_t(id) >= m_tokens.size())
            m_tokens.resize(size_t(id) + 1);
        if (!m_tokens[size_t(id)].empty())
            at.fail("id " + std::to_string(id) + " is also the id of '" + m_tokens[size_t(id)] + "'");
        m_tokens[size_t(id)] = token;
        m_vocab.emplace(token, id);
    }
    const auto merges = json["merges"];
    if (!merges.isNull()) {
        const auto &list = merges.array();
        m_merges.reserve(list.size());
        for (size_t i = 0; i < list.size(); ++i) {
            const auto entry = merges[i];
            std::string a, b;
            if (entry.value.is_string()) { // "a b"
                const auto text = entry.string();
                const auto space = text.find(' ', 1);
                if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
                    entry.fail("expected two tokens separated by one space");
                a = text.substr(0, space);
                b = text.substr(space + 1);
            } else if (entry.value.is_array() && entry.value.size() == 2) { // ["a", "b"]
                a = entry[0].string();
                b = entry[1].string();
            } else {
                entry.fail("expected \"a b\" or [\"a\", \"b\"]");
            }
            const auto idOf = [&](const std::string &token) {
                const auto it = m_vocab.find(token);
                if (it == m_vocab.end())
                    entry.fail("names '" + token + "', which is not in model.vocab");
                return it->second;
            };
            const auto ia = idOf(a), ib = idOf(b), merged = idOf(a + b);
            m_merges.try_emplace(pairKey(ia, ib), Merge{int32_t(i), merged});
        }
    }
    if (json.has("unk_token")) {
        const auto unk = json["unk_token"].string();
        const auto it = m_vocab.find(unk);
        if (it == m_vocab.end())
            json["unk_token"].fail("'" + unk + "' is not in model.vocab");
        m_unk = it->second;
    }
    m_fuseUnk = json.boolOr("fuse_unk", false);
    m_byteFallback = json.boolOr("byte_fallback", false);
    m_ignoreMerges = json.boolOr("ignore_merges", false);
    m_prefix = json.stringOr("continuing_subword_prefix", "");
    m_suffix = json.stringOr("end_of_word_suffix", "");
    if (json.has("dropout") && json["dropout"].value.get<double>() > 0)
        json["dropout"].fail("BPE dropout is a training-time option; not supported");
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        const auto it = m_vocab.find(name);
        m_byteIds[size_t(b)] = it == m_vocab.end() ? -1 : it->second;
    }
}

const std::string &BpeModel::tokenOf(int64_t id) const
{
    static const std::string none;
    return id >= 0 && size_t(id) < m_tokens.size() ? m_tokens[size_t(id)] : none;
}

void BpeModel::tokenize(const std::string &word, std::vector<int64_t> &ids) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges) {
        if (const auto it = m_vocab.find(word); it != m_vocab.end()) {
            ids.push_back(it->second);
            return;
        }
    }
    const bool cacheable = word.size() <= kCachedWordLength;
    if (cacheable) {
        std::lock_guard lock(m_cacheMutex);
        if (const auto it = m_cache.find(word); it != m_cache.end()) {
            ids.insert(ids.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    auto merged = merge(word);
    ids.insert(ids.end(), merged.begin(), merged.end());
    if (cacheable) {
        std::lock_guard lock(m_cacheMutex);
        if (m_cache.size() < kCacheCapacity)
            m_cache.emplace(word, std::move(merged));
    }
}

std::vector<int64_t> BpeModel::merge(const std::string &word) const
{
    // The word's initial symbols: one per character (with prefix/suffix), byte-fallback
    // tokens, or the unknown token.
    std::vector<int64_t> symbols;
    bool lastWasUnk = false;
    for (size_t pos = 0; pos < word.size();) {
        const size_t n = charLength(word, pos);
        std::string piece = word.substr(pos, n);
        if (pos > 0 && !m_prefix.empty())
            piece.insert(0, m_prefix);
        if (pos + n == word.size() && !m_suffix.empty())
            piece += m_suffix;
        pos += n;
        if (const auto it = m_vocab.find(piece); it != m_vocab.end()) {
            symbols.push_back(it->second);
            lastWasUnk = false;
            continue;
        }
        if (m_byteFallback) {
            const auto raw = word.substr(pos - n, n);
            bool all = true;
            for (unsigned char c : raw)
                all = all && m_byteIds[c] >= 0;
            if (all) {
                for (unsigned char c : raw)
                    symbols.push_back(m_byteIds[c]);
                lastWasUnk = false;
                continue;
            }
        }
        if (m_unk >= 0) {
            if (!(m_fuseUnk && lastWasUnk))
                symbols.push_back(m_unk);
            lastWasUnk = true;
        }
    }
    if (symbols.size() < 2 || m_merges.empty())
        return symbols;

    // Doubly linked symbols merged through a queue ordered by (rank, position).
    const size_t n = symbols.size();
    std::vector<int64_t> prev(n), next(n);
    for (size_t i = 0; i < n; ++i) {
        prev[i] = int64_t(i) - 1;
        next[i] = i + 1 < n ? int64_t(i + 1) : -1;
    }
    struct Candidate
    {
        int32_t rank;
        int64_t pos;
        int64_t left, right; // the ids the pair had when queued
        bool operator>(const Candidate &o) const
        {
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    const auto push = [&](int64_t pos) {
        if (pos < 0 || next[size_t(pos)] < 0)
            return;
        const auto a = symbols[size_t(pos)], b = symbols[size_t(next[size_t(pos)])];
        if (const auto it = m_merges.find(pairKey(a, b)); it != m_merges.end())
            queue.push({it->second.rank, pos, a, b});
    };
    for (size_t i = 0; i + 1 < n; ++i)
        push(int64_t(i));
    std::vector<bool> alive(n, true);
    while (!queue.empty()) {
        const auto c = queue.top();
        queue.pop();
        const auto pos = size_t(c.pos);
        if (!alive[pos] || next[pos] < 0)
            continue;
        const auto right = size_t(next[pos]);
        if (symbols[pos] != c.left || symbols[right] != c.right)
            continue; // stale: one side was merged since
        symbols[pos] = m_merges.at(pairKey(c.left, c.right)).merged;
        alive[right] = false;
        next[pos] = next[right];
        if (next[pos] >= 0)
            prev[size_t(next[pos])] = int64_t(pos);
        push(prev[pos]);
        push(int64_t(pos));
    }
    std::vector<int64_t> out;
    for (int64_t i = 0; i >= 0; i = next[size_t(i)])
        out.push_back(symbols[size_t(i)]);
    return out;
}

} // namespace slim::tok
