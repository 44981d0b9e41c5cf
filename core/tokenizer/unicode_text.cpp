#include "unicode_text.h"

#include "tokenizer_error.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <unordered_map>

namespace slim::tok {

namespace {

// Length of the valid UTF-8 sequence at text[pos], or 0 if it is not valid there (overlong
// forms, surrogates and code points above U+10FFFF are invalid).
size_t validSequenceLength(std::string_view text, size_t pos)
{
    const auto b = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const size_t left = text.size() - pos;
    const unsigned char c = b(0);
    if (c < 0x80)
        return 1;
    const auto cont = [&](size_t i) { return i < left && (b(i) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 2)
            return 0;
        const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (b(1) < lo || b(1) > hi)
            return 0;
        return cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 2)
            return 0;
        const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (b(1) < lo || b(1) > hi)
            return 0;
        return cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

// How many bytes of an invalid sequence at text[pos] form one maximal subpart (>= 1).
size_t maximalSubpart(std::string_view text, size_t pos)
{
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    size_t expected = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        expected = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        expected = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        expected = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 1;
    size_t n = 1;
    while (n < expected && pos + n < text.size()) {
        const unsigned char next = static_cast<unsigned char>(text[pos + n]);
        if (n == 1 ? (next < lo || next > hi) : (next & 0xC0) != 0x80)
            break;
        ++n;
    }
    return n;
}

std::string mapWith(std::string_view text, int options)
{
    utf8proc_uint8_t *out = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(text.data()),
                                utf8proc_ssize_t(text.size()), &out,
                                utf8proc_option_t(options));
    if (n < 0)
        throw TokenizerError(std::string("unicode normalization failed: ")
                             + utf8proc_errmsg(n));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
    return std::string(reinterpret_cast<const char *>(out), size_t(n));
}

} // namespace

void requireUtf8(std::string_view text, const std::string &what)
{
    for (size_t pos = 0; pos < text.size();) {
        const auto n = validSequenceLength(text, pos);
        if (n == 0)
            throw TokenizerError(what + ": invalid UTF-8 at byte " + std::to_string(pos));
        pos += n;
    }
}

size_t charLength(std::string_view text, size_t pos)
{
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

char32_t decodeChar(std::string_view text, size_t pos, size_t *length)
{
    const size_t n = charLength(text, pos);
    if (length)
        *length = n;
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (n == 1)
        return c;
    char32_t value = c & (0x7F >> n);
    for (size_t i = 1; i < n; ++i)
        value = (value << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
    return value;
}

void appendChar(std::string &out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(char(c));
    } else if (c < 0x800) {
        out.push_back(char(0xC0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(char(0xE0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    }
}

std::string normalizeUnicode(std::string_view text, NormalForm form)
{
    int options = UTF8PROC_STABLE;
    switch (form) {
    case NormalForm::Nfc: options |= UTF8PROC_COMPOSE; break;
    case NormalForm::Nfd: options |= UTF8PROC_DECOMPOSE; break;
    case NormalForm::Nfkc: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case NormalForm::Nfkd: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
    }
    return mapWith(text, options);
}

std::string lowercase(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        size_t n = 0;
        const auto c = decodeChar(text, pos, &n);
        appendChar(out, char32_t(utf8proc_tolower(utf8proc_int32_t(c))));
        pos += n;
    }
    return out;
}

bool isWhitespace(char32_t c)
{
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

bool isNumeric(char32_t c)
{
    const auto cat = utf8proc_category(utf8proc_int32_t(c));
    return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL
           || cat == UTF8PROC_CATEGORY_NO;
}

bool isAlphanumeric(char32_t c)
{
    const auto cat = utf8proc_category(utf8proc_int32_t(c));
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) || isNumeric(c);
}

std::string lossyUtf8(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (size_t pos = 0; pos < bytes.size();) {
        if (const auto n = validSequenceLength(bytes, pos)) {
            out.append(bytes.substr(pos, n));
            pos += n;
        } else {
            out += "\xEF\xBF\xBD";
            pos += maximalSubpart(bytes, pos);
        }
    }
    return out;
}

const std::array<std::string, 256> &byteToChar()
{
    // Printable Latin-1 bytes map to themselves; the others, in order, to U+0100 onwards.
    static const std::array<std::string, 256> table = [] {
        std::array<std::string, 256> t;
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC)
                                   || (b >= 0xAE && b <= 0xFF);
            appendChar(t[size_t(b)], printable ? char32_t(b) : next++);
        }
        return t;
    }();
    return table;
}

int charToByte(char32_t c)
{
    static const std::unordered_map<char32_t, int> reverse = [] {
        std::unordered_map<char32_t, int> r;
        for (int b = 0; b < 256; ++b)
            r[decodeChar(byteToChar()[size_t(b)], 0)] = b;
        return r;
    }();
    const auto it = reverse.find(c);
    return it == reverse.end() ? -1 : it->second;
}

} // namespace slim::tok
