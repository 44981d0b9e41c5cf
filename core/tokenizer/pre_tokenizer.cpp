#include "pre_tokenizer.h"

#include "unicode_text.h"

#include <functional>

namespace slim::tok {

using Span = std::pair<size_t, size_t>;
using FlaggedSpans = std::vector<std::pair<Span, bool>>;

std::vector<Span> applyBehavior(const FlaggedSpans &spans, SplitBehavior behavior)
{
    FlaggedSpans merged;
    bool previousMatch = false;
    switch (behavior) {
    case SplitBehavior::Removed:
        for (const auto &s : spans) {
            if (!s.second)
                merged.push_back(s);
        }
        break;
    case SplitBehavior::Isolated:
        merged = spans;
        break;
    case SplitBehavior::MergedWithPrevious:
        for (const auto &[span, isMatch] : spans) {
            if (isMatch && !previousMatch && !merged.empty())
                merged.back().first.second = span.second;
            else
                merged.push_back({span, isMatch});
            previousMatch = isMatch;
        }
        break;
    case SplitBehavior::MergedWithNext:
        for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
            const auto &[span, isMatch] = *it;
            if (isMatch && !previousMatch && !merged.empty())
                merged.back().first.first = span.first;
            else
                merged.push_back({span, isMatch});
            previousMatch = isMatch;
        }
        std::reverse(merged.begin(), merged.end());
        break;
    case SplitBehavior::Contiguous:
        for (const auto &[span, isMatch] : spans) {
            if (isMatch == previousMatch && !merged.empty())
                merged.back().first.second = span.second;
            else
                merged.push_back({span, isMatch});
            previousMatch = isMatch;
        }
        break;
    }
    std::vector<Span> out;
    for (const auto &s : merged) {
        if (s.first.second > s.first.first)
            out.push_back(s.first);
    }
    return out;
}

namespace {

FlaggedSpans flag(const std::vector<Span> &matches, size_t length, bool invert)
{
    FlaggedSpans spans;
    size_t previous = 0;
    for (const auto &m : matches) {
        if (m.first > previous)
            spans.push_back({{previous, m.first}, invert});
        spans.push_back({m, !invert});
        previous = m.second;
    }
    if (previous < length)
        spans.push_back({{previous, length}, invert});
    return spans;
}

// Splits every piece with `cut` (text -> pieces' spans); keeps each piece's at_start on its
// first part.
std::vector<Piece> splitEach(std::vector<Piece> pieces,
                             const std::function<std::vector<Span>(const std::string &)> &cut)
{
    std::vector<Piece> out;
    out.reserve(pieces.size());
    for (auto &piece : pieces) {
        for (const auto &[begin, end] : cut(piece.text))
            out.push_back({piece.text.substr(begin, end - begin), piece.at_start && begin == 0});
    }
    return out;
}

SplitBehavior behaviorOf(const JsonAt &json)
{
    const auto name = json.string();
    if (name == "Removed")
        return SplitBehavior::Removed;
    if (name == "Isolated")
        return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (name == "Contiguous")
        return SplitBehavior::Contiguous;
    json.unsupported("split behavior", name);
}

// Spans of characters for which `pred` holds, flagged as matches (one span per character).
FlaggedSpans charSpans(const std::string &text, const std::function<bool(char32_t)> &pred)
{
    FlaggedSpans spans;
    for (size_t pos = 0; pos < text.size();) {
        size_t n = 0;
        const bool hit = pred(decodeChar(text, pos, &n));
        spans.push_back({{pos, pos + n}, hit});
        pos += n;
    }
    return spans;
}

class Split : public PreTokenizer
{
public:
    Split(RegexMatcher pattern, SplitBehavior behavior, bool invert)
        : m_pattern(std::move(pattern)), m_behavior(behavior), m_invert(invert)
    {
    }
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        return splitEach(std::move(pieces), [&](const std::string &text) {
            return applyBehavior(flag(m_pattern.findAll(text), text.size(), m_invert), m_behavior);
        });
    }

private:
    RegexMatcher m_pattern;
    SplitBehavior m_behavior;
    bool m_invert;
};

// GPT-2's pattern, used by ByteLevel with use_regex.
const char *kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevel : public PreTokenizer
{
public:
    ByteLevel(bool addPrefixSpace, bool useRegex)
        : m_addPrefixSpace(addPrefixSpace)
        , m_regex(useRegex ? std::make_unique<RegexMatcher>(kGpt2Pattern, "ByteLevel") : nullptr)
    {
    }
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        for (auto &piece : pieces) {
            if (m_addPrefixSpace && piece.text.rfind(' ', 0) != 0)
                piece.text.insert(0, " ");
        }
        if (m_regex) {
            pieces = splitEach(std::move(pieces), [&](const std::string &text) {
                return applyBehavior(flag(m_regex->findAll(text), text.size(), false),
                                     SplitBehavior::Isolated);
            });
        }
        const auto &table = byteToChar();
        for (auto &piece : pieces) {
            std::string mapped;
            mapped.reserve(piece.text.size() * 2);
            for (unsigned char c : piece.text)
                mapped += table[c];
            piece.text = std::move(mapped);
        }
        return pieces;
    }

private:
    bool m_addPrefixSpace;
    std::unique_ptr<RegexMatcher> m_regex;
};

class Metaspace : public PreTokenizer
{
public:
    Metaspace(std::string replacement, std::string scheme, bool split)
        : m_replacement(std::move(replacement)), m_scheme(std::move(scheme)), m_split(split)
    {
    }
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        for (auto &piece : pieces) {
            std::string replaced;
            for (char c : piece.text) {
                if (c == ' ')
                    replaced += m_replacement;
                else
                    replaced.push_back(c);
            }
            const bool prepend = m_scheme == "always" || (m_scheme == "first" && piece.at_start);
            if (prepend && replaced.rfind(m_replacement, 0) != 0)
                replaced.insert(0, m_replacement);
            piece.text = std::move(replaced);
        }
        if (!m_split)
            return pieces;
        const auto marker = RegexMatcher::literal(m_replacement, "Metaspace");
        return splitEach(std::move(pieces), [&](const std::string &text) {
            return applyBehavior(flag(marker.findAll(text), text.size(), false),
                                 SplitBehavior::MergedWithNext);
        });
    }

private:
    std::string m_replacement, m_scheme;
    bool m_split;
};

class Digits : public PreTokenizer
{
public:
    explicit Digits(bool individual) : m_individual(individual) {}
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        return splitEach(std::move(pieces), [&](const std::string &text) {
            return applyBehavior(charSpans(text, isNumeric), m_individual
                                                                 ? SplitBehavior::Isolated
                                                                 : SplitBehavior::Contiguous);
        });
    }

private:
    bool m_individual;
};

class WhitespaceSplit : public PreTokenizer
{
public:
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        return splitEach(std::move(pieces), [](const std::string &text) {
            return applyBehavior(charSpans(text, isWhitespace), SplitBehavior::Removed);
        });
    }
};

class Sequence : public PreTokenizer
{
public:
    explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : m_steps(std::move(steps)) {}
    std::vector<Piece> split(std::vector<Piece> pieces) const override
    {
        for (const auto &step : m_steps)
            pieces = step->split(std::move(pieces));
        return pieces;
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_steps;
};

} // namespace

std::unique_ptr<PreTokenizer> makePreTokenizer(const JsonAt &json)
{
    if (json.isNull())
        return nullptr;
    const auto type = json["type"].string();
    if (type == "Split")
        return std::make_unique<Split>(patternOf(json["pattern"]), behaviorOf(json["behavior"]),
                                       json.boolOr("invert", false));
    if (type == "ByteLevel")
        return std::make_unique<ByteLevel>(json.boolOr("add_prefix_space", true),
                                           json.boolOr("use_regex", true));
    if (type == "Metaspace") {
        auto scheme = json.stringOr("prepend_scheme", "");
        if (scheme.empty()) // the older form: add_prefix_space
            scheme = json.boolOr("add_prefix_space", true) ? "always" : "never";
        if (scheme != "always" && scheme != "first" && scheme != "never")
            json["prepend_scheme"].unsupported("prepend_scheme", scheme);
        return std::make_unique<Metaspace>(json.stringOr("replacement", "\xE2\x96\x81"), scheme,
                                           json.boolOr("split", true));
    }
    if (type == "Digits")
        return std::make_unique<Digits>(json.boolOr("individual_digits", false));
    if (type == "Whitespace") {
        return std::make_unique<Split>(RegexMatcher(R"(\w+|[^\w\s]+)", json.path),
                                       SplitBehavior::Removed, true);
    }
    if (type == "WhitespaceSplit")
        return std::make_unique<WhitespaceSplit>();
    if (type == "Sequence")
        return std::make_unique<Sequence>(makeEach(json["pretokenizers"], makePreTokenizer));
    json["type"].unsupported("pre_tokenizer", type);
}

} // namespace slim::tok
