#include "regex_matcher.h"

#include "tokenizer_error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace slim::tok {

struct RegexMatcher::Compiled
{
    pcre2_code *code = nullptr;
    bool jit = false;
    ~Compiled() { pcre2_code_free(code); }
};

RegexMatcher::RegexMatcher(const std::string &pattern, const std::string &where)
    : m_compiled(std::make_unique<Compiled>())
{
    int error = 0;
    PCRE2_SIZE offset = 0;
    m_compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
    if (!m_compiled->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        throw TokenizerError(where + ": the regex does not compile: "
                             + reinterpret_cast<const char *>(message) + " at offset "
                             + std::to_string(offset));
    }
    m_compiled->jit = pcre2_jit_compile(m_compiled->code, PCRE2_JIT_COMPLETE) == 0;
}

RegexMatcher RegexMatcher::literal(const std::string &text, const std::string &where)
{
    std::string quoted = "\\Q";
    for (size_t pos = 0;;) {
        const auto end = text.find("\\E", pos);
        if (end == std::string::npos) {
            quoted += text.substr(pos);
            break;
        }
        quoted += text.substr(pos, end - pos) + "\\E\\\\E\\Q";
        pos = end + 2;
    }
    return RegexMatcher(quoted + "\\E", where);
}

RegexMatcher::~RegexMatcher() = default;
RegexMatcher::RegexMatcher(RegexMatcher &&) noexcept = default;
RegexMatcher &RegexMatcher::operator=(RegexMatcher &&) noexcept = default;

std::vector<std::pair<size_t, size_t>> RegexMatcher::findAll(std::string_view text) const
{
    std::vector<std::pair<size_t, size_t>> matches;
    thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
        pcre2_match_data_create(4, nullptr), &pcre2_match_data_free);
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t start = 0;
    while (start <= text.size()) {
        const int rc = m_compiled->jit
                           ? pcre2_jit_match(m_compiled->code, subject, text.size(), start,
                                             PCRE2_NO_UTF_CHECK, data.get(), nullptr)
                           : pcre2_match(m_compiled->code, subject, text.size(), start,
                                         PCRE2_NO_UTF_CHECK, data.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw TokenizerError("regex match failed (PCRE2 error " + std::to_string(rc) + ")");
        const auto *ovector = pcre2_get_ovector_pointer(data.get());
        const size_t begin = ovector[0], end = ovector[1];
        if (end == begin) {
            // An empty match: step one character on (never inside a UTF-8 sequence).
            if (begin >= text.size())
                break;
            size_t next = begin + 1;
            while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80)
                ++next;
            start = next;
            continue;
        }
        matches.emplace_back(begin, end);
        start = end;
    }
    return matches;
}

std::string RegexMatcher::replaceAll(std::string_view text, std::string_view content) const
{
    std::string out;
    size_t previous = 0;
    for (const auto &[begin, end] : findAll(text)) {
        out.append(text.substr(previous, begin - previous));
        out.append(content);
        previous = end;
    }
    out.append(text.substr(previous));
    return out;
}

} // namespace slim::tok
