#pragma once
// tokenizer.json "added_tokens": tokens matched in the text before the model sees it
// (leftmost-longest, as the Rust library's Aho-Corasick matcher), special or not, with their
// lstrip / rstrip / single_word / normalized options. Non-normalized tokens are matched in the
// raw text, normalized ones in each piece after normalization.

#include "json_access.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace slim::tok {

struct AddedToken
{
    std::string content;
    int64_t id = 0;
    bool special = false, lstrip = false, rstrip = false, single_word = false, normalized = false;
};

// A stretch of text: an added token (id >= 0) or plain text for the normalizer and model.
struct Segment
{
    std::string text;
    int64_t id = -1;
};

class AddedVocabulary
{
public:
    AddedVocabulary() = default;
    explicit AddedVocabulary(const JsonAt &addedTokens);

    // Splits `text` on the tokens with normalized == `normalizedTokens`.
    std::vector<Segment> split(const std::string &text, bool normalizedTokens) const;

    const AddedToken *byId(int64_t id) const;
    const AddedToken *byContent(const std::string &content) const;
    const std::vector<AddedToken> &tokens() const { return m_tokens; }
    bool hasNormalized() const { return m_tries[1].size() > 1; }

private:
    struct Node
    {
        std::map<unsigned char, int32_t> next;
        int32_t token = -1; // index into m_tokens
    };
    using Trie = std::vector<Node>;
    void insert(Trie &trie, int32_t token);

    std::vector<AddedToken> m_tokens;
    std::unordered_map<int64_t, size_t> m_byId;
    std::unordered_map<std::string, size_t> m_byContent;
    Trie m_tries[2] = {Trie(1), Trie(1)}; // [0]: raw text, [1]: normalized text
};

} // namespace slim::tok
