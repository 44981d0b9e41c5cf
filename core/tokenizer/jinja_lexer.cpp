// Lexing of chat templates: the source into text and tags with Jinja2's whitespace rules
// (trim_blocks, lstrip_blocks, "-" and "+" modifiers, comments, raw blocks), and a tag's
// content into tokens.
#include "jinja_parser_internal.h"

#include "jinja_error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace slim::tok::jinja::detail {

// ---- Splitting the source into text and tags ---------------------------------------------

namespace {

int lineAt(const std::string &s, size_t pos)
{
    return 1 + int(std::count(s.begin(), s.begin() + long(pos), '\n'));
}

// The end of a tag opened at `from` (after "{{" / "{%"), skipping string literals.
size_t findTagEnd(const std::string &s, size_t from, const std::string &close)
{
    char quote = 0;
    for (size_t i = from; i < s.size(); ++i) {
        if (quote) {
            if (s[i] == '\\')
                ++i;
            else if (s[i] == quote)
                quote = 0;
        } else if (s[i] == '\'' || s[i] == '"') {
            quote = s[i];
        } else if (s.compare(i, close.size(), close) == 0) {
            return i;
        }
    }
    return std::string::npos;
}

void rstripAll(std::string &text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
}

// lstrip_blocks: spaces and tabs between the line start and a block tag go.
void lstripLine(std::string &text, bool atTemplateStart)
{
    size_t i = text.size();
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        --i;
    if ((i == 0 && atTemplateStart) || (i > 0 && text[i - 1] == '\n'))
        text.erase(i);
}

} // namespace

std::vector<Chunk> splitSource(const std::string &s)
{
    std::vector<Chunk> chunks;
    std::string text;
    bool stripNextLeading = false, trimNextNewline = false;
    size_t pos = 0;
    const auto pushText = [&] {
        if (!text.empty())
            chunks.push_back({Chunk::Kind::Text, text, 0});
        text.clear();
    };
    while (pos <= s.size()) {
        const size_t open = s.find('{', pos);
        size_t tag = std::string::npos;
        for (size_t i = open; i != std::string::npos && i + 1 < s.size(); i = s.find('{', i + 1)) {
            if (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#') {
                tag = i;
                break;
            }
        }
        std::string piece = s.substr(pos, tag == std::string::npos ? std::string::npos : tag - pos);
        if (stripNextLeading) {
            size_t k = 0;
            while (k < piece.size() && std::isspace(static_cast<unsigned char>(piece[k])))
                ++k;
            piece.erase(0, k);
        } else if (trimNextNewline && !piece.empty() && piece[0] == '\n') {
            piece.erase(0, 1);
        }
        stripNextLeading = trimNextNewline = false;
        text += piece;
        if (tag == std::string::npos)
            break;
        const char type = s[tag + 1];
        size_t inner = tag + 2;
        const int line = lineAt(s, tag);
        const bool minusLeft = inner < s.size() && s[inner] == '-';
        const bool plusLeft = inner < s.size() && s[inner] == '+';
        if (minusLeft || plusLeft)
            ++inner;
        if (minusLeft)
            rstripAll(text);
        else if (type != '{' && !plusLeft)
            lstripLine(text, chunks.empty());
        const std::string close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
        const size_t end = type == '#' ? s.find(close, inner) : findTagEnd(s, inner, close);
        if (end == std::string::npos)
            fail(line, std::string("unclosed '{") + type + "'");
        size_t contentEnd = end;
        const bool minusRight = contentEnd > inner && s[contentEnd - 1] == '-';
        if (minusRight || (contentEnd > inner && s[contentEnd - 1] == '+'))
            --contentEnd;
        std::string content = s.substr(inner, contentEnd - inner);
        pos = end + 2;
        stripNextLeading = minusRight;
        trimNextNewline = !minusRight && type != '{';
        if (type == '#')
            continue;
        // {% raw %} ... {% endraw %}: verbatim text.
        auto trimmed = content;
        trimmed.erase(0, trimmed.find_first_not_of(" \t\n"));
        trimmed.erase(trimmed.find_last_not_of(" \t\n") + 1);
        if (type == '%' && trimmed == "raw") {
            size_t search = pos;
            size_t endTag = std::string::npos, endClose = 0;
            while ((endTag = s.find("{%", search)) != std::string::npos) {
                const auto close2 = s.find("%}", endTag);
                std::string inside = s.substr(endTag + 2, close2 - endTag - 2);
                inside.erase(std::remove_if(inside.begin(), inside.end(),
                                            [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '-' || c == '+'; }),
                             inside.end());
                if (inside == "endraw") {
                    endClose = close2;
                    break;
                }
                search = endTag + 2;
            }
            if (endTag == std::string::npos)
                fail(line, "'raw' without 'endraw'");
            std::string raw = s.substr(pos, endTag - pos);
            if (trimNextNewline && !raw.empty() && raw[0] == '\n')
                raw.erase(0, 1);
            if (s[endTag + 2] == '-')
                rstripAll(raw);
            text += raw;
            stripNextLeading = s[endClose - 1] == '-';
            trimNextNewline = !stripNextLeading;
            pos = endClose + 2;
            continue;
        }
        pushText();
        chunks.push_back({type == '{' ? Chunk::Kind::Output : Chunk::Kind::Statement, content, line});
    }
    pushText();
    return chunks;
}

// ---- Tokens of an expression ---------------------------------------------------------------

std::vector<Token> tokenize(const std::string &s, int line)
{
    std::vector<Token> tokens;
    static const std::vector<std::string> ops = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*",
                                                 "/", "%", "~", "<", ">", "(", ")", "[", "]", "{",
                                                 "}", ",", ".", ":", "|", "="};
    for (size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            tokens.push_back({Token::Kind::Name, s.substr(i, j - i), {}});
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            bool isFloat = false;
            if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
                isFloat = true;
                ++j;
                while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                    ++j;
            }
            if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
                size_t k = j + 1;
                if (k < s.size() && (s[k] == '+' || s[k] == '-'))
                    ++k;
                if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
                    isFloat = true;
                    j = k;
                    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                        ++j;
                }
            }
            std::string digits = s.substr(i, j - i);
            digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
            if (isFloat) { // as Python's float(): inf beyond the range, 0 below it
                tokens.push_back(
                    {Token::Kind::Float, digits, Value(std::strtod(digits.c_str(), nullptr))});
            } else {
                errno = 0;
                const auto value = std::strtoll(digits.c_str(), nullptr, 10);
                if (errno == ERANGE)
                    fail(line, "integer literal " + digits + " does not fit in 64 bits");
                tokens.push_back({Token::Kind::Int, digits, Value(int64_t(value))});
            }
            i = j;
        } else if (c == '\'' || c == '"') {
            std::string value;
            size_t j = i + 1;
            for (; j < s.size() && s[j] != c; ++j) {
                if (s[j] != '\\' || j + 1 >= s.size()) {
                    value += s[j];
                    continue;
                }
                const char e = s[++j];
                switch (e) {
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'r': value += '\r'; break;
                case '\\': value += '\\'; break;
                case '\'': value += '\''; break;
                case '"': value += '"'; break;
                case '\n': break;
                default: value += '\\'; value += e;
                }
            }
            if (j >= s.size())
                fail(line, "unterminated string literal");
            tokens.push_back({Token::Kind::String, value, Value(value)});
            i = j + 1;
        } else {
            bool matched = false;
            for (const auto &op : ops) {
                if (s.compare(i, op.size(), op) == 0) {
                    tokens.push_back({Token::Kind::Op, op, {}});
                    i += op.size();
                    matched = true;
                    break;
                }
            }
            if (!matched)
                fail(line, std::string("unexpected character '") + c + "'");
        }
    }
    tokens.push_back({Token::Kind::End, "", {}});
    return tokens;
}

} // namespace slim::tok::jinja::detail
