#pragma once
// UTF-8 and Unicode helpers of the tokenizers: validation, code points, normalization forms
// (utf8proc), character classes, the lossy decoding Rust's String::from_utf8_lossy does, and
// GPT-2's byte-to-character map of byte-level BPE.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slim::tok {

// Throws TokenizerError "<what>: invalid UTF-8 at byte N" unless `text` is valid UTF-8.
void requireUtf8(std::string_view text, const std::string &what);

// Byte length of the UTF-8 character starting at text[pos] (text is valid UTF-8).
size_t charLength(std::string_view text, size_t pos);
// Decodes the character at text[pos]; `length` receives its byte length.
char32_t decodeChar(std::string_view text, size_t pos, size_t *length = nullptr);
void appendChar(std::string &out, char32_t c);

enum class NormalForm { Nfc, Nfd, Nfkc, Nfkd };
std::string normalizeUnicode(std::string_view text, NormalForm form);
std::string lowercase(std::string_view text);

bool isWhitespace(char32_t c); // Unicode White_Space
bool isNumeric(char32_t c);    // general category N*
bool isAlphanumeric(char32_t c);

// Bytes to text, each maximal invalid subsequence replaced by U+FFFD (as Rust's
// String::from_utf8_lossy and Python's errors="replace").
std::string lossyUtf8(std::string_view bytes);

// GPT-2's byte-level alphabet: byte b <-> one printable character (UTF-8 encoded).
const std::array<std::string, 256> &byteToChar();
// The byte of a byte-level character, or -1 if `c` is not one.
int charToByte(char32_t c);

} // namespace slim::tok
