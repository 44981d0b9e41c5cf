#include "added_vocabulary.h"

#include "unicode_text.h"

namespace slim::tok {

namespace {

bool isWordChar(char32_t c)
{
    return isAlphanumeric(c) || c == '_';
}

// Start of the character that ends at `end` (> 0).
size_t previousCharStart(const std::string &text, size_t end)
{
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    return start;
}

char32_t lastChar(const std::string &text, size_t end)
{
    return decodeChar(text, previousCharStart(text, end));
}

} // namespace

AddedVocabulary::AddedVocabulary(const JsonAt &addedTokens)
{
    if (addedTokens.isNull())
        return;
    for (size_t i = 0; i < addedTokens.array().size(); ++i) {
        const auto entry = addedTokens[i];
        AddedToken t;
        t.content = entry["content"].string();
        t.id = entry["id"].integer();
        t.special = entry.boolOr("special", false);
        t.lstrip = entry.boolOr("lstrip", false);
        t.rstrip = entry.boolOr("rstrip", false);
        t.single_word = entry.boolOr("single_word", false);
        t.normalized = entry.boolOr("normalized", !t.special);
        if (t.content.empty())
            entry["content"].fail("an added token cannot be empty");
        requireUtf8(t.content, entry["content"].path);
        if (const auto it = m_byId.find(t.id); it != m_byId.end() && m_tokens[it->second].content != t.content)
            entry["id"].fail("id " + std::to_string(t.id) + " is also the id of '"
                             + m_tokens[it->second].content + "'");
        m_byId[t.id] = m_tokens.size();
        m_byContent[t.content] = m_tokens.size();
        m_tokens.push_back(t);
        insert(m_tries[t.normalized ? 1 : 0], int32_t(m_tokens.size() - 1));
    }
}

void AddedVocabulary::insert(Trie &trie, int32_t token)
{
    int32_t node = 0;
    for (unsigned char c : m_tokens[size_t(token)].content) {
        const auto it = trie[size_t(node)].next.find(c);
        if (it != trie[size_t(node)].next.end()) {
            node = it->second;
        } else {
            trie.push_back({});
            trie[size_t(node)].next[c] = int32_t(trie.size() - 1);
            node = int32_t(trie.size() - 1);
        }
    }
    trie[size_t(node)].token = token;
}

std::vector<Segment> AddedVocabulary::split(const std::string &text, bool normalizedTokens) const
{
    const auto &trie = m_tries[normalizedTokens ? 1 : 0];
    if (trie.size() == 1)
        return {{text, -1}};
    struct Match
    {
        size_t begin, end;
        const AddedToken *token;
    };
    std::vector<Match> matches;
    for (size_t pos = 0; pos < text.size();) {
        int32_t node = 0, found = -1;
        size_t foundEnd = 0;
        for (size_t i = pos; i < text.size(); ++i) {
            const auto &next = trie[size_t(node)].next;
            const auto it = next.find(static_cast<unsigned char>(text[i]));
            if (it == next.end())
                break;
            node = it->second;
            if (trie[size_t(node)].token >= 0) {
                found = trie[size_t(node)].token;
                foundEnd = i + 1;
            }
        }
        if (found < 0) {
            pos += charLength(text, pos);
            continue;
        }
        const auto &token = m_tokens[size_t(found)];
        const bool wordStart = pos == 0 || !isWordChar(lastChar(text, pos));
        const bool wordEnd = foundEnd == text.size() || !isWordChar(decodeChar(text, foundEnd));
        if (!token.single_word || (wordStart && wordEnd))
            matches.push_back({pos, foundEnd, &token});
        pos = foundEnd;
    }
    std::vector<Segment> segments;
    size_t previous = 0;
    for (auto m : matches) {
        if (m.token->lstrip) {
            while (m.begin > previous && isWhitespace(lastChar(text, m.begin)))
                m.begin = previousCharStart(text, m.begin);
        }
        if (m.token->rstrip) {
            while (m.end < text.size()) {
                size_t n = 0;
                if (!isWhitespace(decodeChar(text, m.end, &n)))
                    break;
                m.end += n;
            }
        }
        if (m.begin > previous)
            segments.push_back({text.substr(previous, m.begin - previous), -1});
        segments.push_back({m.token->content, m.token->id});
        previous = m.end;
    }
    if (previous < text.size())
        segments.push_back({text.substr(previous), -1});
    return segments;
}

const AddedToken *AddedVocabulary::byId(int64_t id) const
{
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &m_tokens[it->second];
}

const AddedToken *AddedVocabulary::byContent(const std::string &content) const
{
    const auto it = m_byContent.find(content);
    return it == m_byContent.end() ? nullptr : &m_tokens[it->second];
}

} // namespace slim::tok
