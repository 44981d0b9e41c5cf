#include "decoder.h"

#include "unicode_text.h"

namespace slim::tok {

namespace {

class ByteLevelDecoder : public Decoder
{
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        std::string bytes;
        for (const auto &token : tokens) {
            // A token with a character outside the byte alphabet keeps its own UTF-8 bytes.
            std::string mapped;
            bool all = true;
            for (size_t pos = 0; pos < token.size() && all;) {
                size_t n = 0;
                const int b = charToByte(decodeChar(token, pos, &n));
                all = b >= 0;
                mapped.push_back(char(b));
                pos += n;
            }
            bytes += all ? mapped : token;
        }
        return {lossyUtf8(bytes)};
    }
};

class ReplaceDecoder : public Decoder
{
public:
    ReplaceDecoder(RegexMatcher pattern, std::string content)
        : m_pattern(std::move(pattern)), m_content(std::move(content))
    {
    }
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        for (auto &token : tokens)
            token = m_pattern.replaceAll(token, m_content);
        return tokens;
    }

private:
    RegexMatcher m_pattern;
    std::string m_content;
};

// "<0x41>" -> 0x41, else -1.
int byteToken(const std::string &token)
{
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
        return -1;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
        const char c = token[i];
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

class ByteFallbackDecoder : public Decoder
{
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        std::vector<std::string> out;
        std::string pending;
        size_t pendingCount = 0;
        const auto flush = [&] {
            if (pendingCount == 0)
                return;
            // Invalid UTF-8: one U+FFFD per byte token (as Rust).
            if (lossyUtf8(pending) == pending) {
                out.push_back(pending);
            } else {
                for (size_t i = 0; i < pendingCount; ++i)
                    out.push_back("\xEF\xBF\xBD");
            }
            pending.clear();
            pendingCount = 0;
        };
        for (auto &token : tokens) {
            const int b = byteToken(token);
            if (b >= 0) {
                pending.push_back(char(b));
                ++pendingCount;
            } else {
                flush();
                out.push_back(std::move(token));
            }
        }
        flush();
        return out;
    }
};

class FuseDecoder : public Decoder
{
public:
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        std::string joined;
        for (const auto &t : tokens)
            joined += t;
        return {joined};
    }
};

class StripDecoder : public Decoder
{
public:
    StripDecoder(std::string content, size_t start, size_t stop)
        : m_content(std::move(content)), m_start(start), m_stop(stop)
    {
    }
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        for (auto &token : tokens) {
            size_t begin = 0, end = token.size();
            for (size_t i = 0; i < m_start && token.compare(begin, m_content.size(), m_content) == 0
                               && begin + m_content.size() <= end;
                 ++i)
                begin += m_content.size();
            for (size_t i = 0; i < m_stop && end >= begin + m_content.size()
                               && token.compare(end - m_content.size(), m_content.size(), m_content) == 0;
                 ++i)
                end -= m_content.size();
            token = token.substr(begin, end - begin);
        }
        return tokens;
    }

private:
    std::string m_content;
    size_t m_start, m_stop;
};

class MetaspaceDecoder : public Decoder
{
public:
    MetaspaceDecoder(std::string replacement, bool stripFirst)
        : m_replacement(std::move(replacement)), m_stripFirst(stripFirst)
    {
    }
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string out;
            const auto &token = tokens[i];
            for (size_t pos = 0; pos < token.size();) {
                if (token.compare(pos, m_replacement.size(), m_replacement) == 0) {
                    // As Rust: every marker of the first token is dropped, not only a leading one.
                    if (!(i == 0 && m_stripFirst))
                        out.push_back(' ');
                    pos += m_replacement.size();
                } else {
                    out.push_back(token[pos++]);
                }
            }
            tokens[i] = std::move(out);
        }
        return tokens;
    }

private:
    std::string m_replacement;
    bool m_stripFirst;
};

class SequenceDecoder : public Decoder
{
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : m_steps(std::move(steps)) {}
    std::vector<std::string> decodeChain(std::vector<std::string> tokens) const override
    {
        for (const auto &step : m_steps)
            tokens = step->decodeChain(std::move(tokens));
        return tokens;
    }

private:
    std::vector<std::unique_ptr<Decoder>> m_steps;
};

} // namespace

std::unique_ptr<Decoder> makeDecoder(const JsonAt &json)
{
    if (json.isNull())
        return nullptr;
    const auto type = json["type"].string();
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelDecoder>();
    if (type == "Replace")
        return std::make_unique<ReplaceDecoder>(patternOf(json["pattern"]), json["content"].string());
    if (type == "ByteFallback")
        return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse")
        return std::make_unique<FuseDecoder>();
    if (type == "Strip")
        return std::make_unique<StripDecoder>(json["content"].string(), size_t(json["start"].integer()),
                                              size_t(json["stop"].integer()));
    if (type == "Metaspace") {
        auto scheme = json.stringOr("prepend_scheme", "");
        if (scheme.empty())
            scheme = json.boolOr("add_prefix_space", true) ? "always" : "never";
        return std::make_unique<MetaspaceDecoder>(json.stringOr("replacement", "\xE2\x96\x81"),
                                                  scheme != "never");
    }
    if (type == "Sequence")
        return std::make_unique<SequenceDecoder>(makeEach(json["decoders"], makeDecoder));
    json["type"].unsupported("decoder", type);
}

} // namespace slim::tok
