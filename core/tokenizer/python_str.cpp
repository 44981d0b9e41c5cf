#include "python_str.h"

#include "unicode_text.h"

#include <utf8proc.h>

#include <vector>

namespace slim::tok {

namespace {

std::u32string codePointsOf(std::string_view s)
{
    std::u32string out;
    for (size_t pos = 0; pos < s.size();) {
        size_t length = 1;
        out.push_back(decodeChar(s, pos, &length));
        pos += length;
    }
    return out;
}

char32_t upper(char32_t c)
{
    return char32_t(utf8proc_toupper(utf8proc_int32_t(c)));
}
char32_t lower(char32_t c)
{
    return char32_t(utf8proc_tolower(utf8proc_int32_t(c)));
}
char32_t title(char32_t c)
{
    return char32_t(utf8proc_totitle(utf8proc_int32_t(c)));
}

} // namespace

bool isPythonSpace(char32_t c)
{
    return isWhitespace(c) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F;
}

std::string stripPythonSpace(std::string_view s, bool left, bool right)
{
    // Byte offsets of the first kept character and of the end of the last one.
    size_t begin = 0, end = s.size();
    if (left) {
        while (begin < end) {
            size_t length = 1;
            if (!isPythonSpace(decodeChar(s, begin, &length)))
                break;
            begin += length;
        }
    }
    if (right) {
        while (end > begin) {
            size_t start = end - 1; // the last character starts at its lead byte
            while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
                --start;
            if (!isPythonSpace(decodeChar(s, start)))
                break;
            end = start;
        }
    }
    return std::string(s.substr(begin, end - begin));
}

std::string mapCase(const std::string &s, bool toUpper)
{
    std::string out;
    for (const char32_t c : codePointsOf(s))
        appendChar(out, toUpper ? upper(c) : lower(c));
    return out;
}

std::string titleCase(const std::string &s)
{
    std::string out;
    bool previousCased = false;
    for (const char32_t c : codePointsOf(s)) {
        const bool cased = lower(c) != c || upper(c) != c;
        appendChar(out, previousCased ? lower(c) : title(c));
        previousCased = cased;
    }
    return out;
}

std::string capitalize(const std::string &s)
{
    // Python 3.8+: the first character in title case, the rest in lower case.
    const auto text = codePointsOf(s);
    std::string out;
    for (size_t i = 0; i < text.size(); ++i)
        appendChar(out, i == 0 ? title(text[i]) : lower(text[i]));
    return out;
}

} // namespace slim::tok
