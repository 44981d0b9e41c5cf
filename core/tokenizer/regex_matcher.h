#pragma once
// A compiled tokenizer regex (PCRE2 in UTF mode with Unicode properties, JIT-compiled): the
// Oniguruma patterns of tokenizer.json (GPT-2, Llama 3, Qwen pre-tokenizers) mean the same here.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slim::tok {

class RegexMatcher
{
public:
    // Throws TokenizerError "<where>: <PCRE2's message> at offset N" for a bad pattern.
    RegexMatcher(const std::string &pattern, const std::string &where);
    // A literal string pattern (Split's {"String": ...}).
    static RegexMatcher literal(const std::string &text, const std::string &where);
    ~RegexMatcher();
    RegexMatcher(RegexMatcher &&) noexcept;
    RegexMatcher &operator=(RegexMatcher &&) noexcept;

    // Every non-overlapping match in `text` (valid UTF-8), as [begin, end) byte offsets.
    std::vector<std::pair<size_t, size_t>> findAll(std::string_view text) const;
    // `text` with every match replaced by `content` (taken literally).
    std::string replaceAll(std::string_view text, std::string_view content) const;

private:
    RegexMatcher() = default;
    struct Compiled;
    std::unique_ptr<Compiled> m_compiled;
};

} // namespace slim::tok
