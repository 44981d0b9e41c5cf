#include "normalizer.h"

#include "regex_matcher.h"
#include "unicode_text.h"

#include <utf8proc.h>

#include <vector>

namespace slim::tok {

namespace {

class UnicodeForm : public Normalizer
{
public:
    explicit UnicodeForm(NormalForm form) : m_form(form) {}
    std::string normalize(std::string text) const override { return normalizeUnicode(text, m_form); }

private:
    NormalForm m_form;
};

class Lowercase : public Normalizer
{
public:
    std::string normalize(std::string text) const override { return lowercase(text); }
};

class Strip : public Normalizer
{
public:
    Strip(bool left, bool right) : m_left(left), m_right(right) {}
    std::string normalize(std::string text) const override
    {
        size_t begin = 0, end = text.size();
        if (m_left) {
            while (begin < end) {
                size_t n = 0;
                if (!isWhitespace(decodeChar(text, begin, &n)))
                    break;
                begin += n;
            }
        }
        if (m_right) {
            while (end > begin) {
                size_t start = end - 1;
                while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
                    --start;
                if (!isWhitespace(decodeChar(text, start)))
                    break;
                end = start;
            }
        }
        return text.substr(begin, end - begin);
    }

private:
    bool m_left, m_right;
};

class StripAccents : public Normalizer
{
public:
    std::string normalize(std::string text) const override
    {
        std::string out;
        for (size_t pos = 0; pos < text.size();) {
            size_t n = 0;
            const auto c = decodeChar(text, pos, &n);
            if (utf8proc_category(utf8proc_int32_t(c)) != UTF8PROC_CATEGORY_MN)
                out.append(text, pos, n);
            pos += n;
        }
        return out;
    }
};

class Replace : public Normalizer
{
public:
    Replace(RegexMatcher pattern, std::string content)
        : m_pattern(std::move(pattern)), m_content(std::move(content))
    {
    }
    std::string normalize(std::string text) const override
    {
        return m_pattern.replaceAll(text, m_content);
    }

private:
    RegexMatcher m_pattern;
    std::string m_content;
};

class Prepend : public Normalizer
{
public:
    explicit Prepend(std::string prefix) : m_prefix(std::move(prefix)) {}
    std::string normalize(std::string text) const override
    {
        return text.empty() ? text : m_prefix + text; // as Rust: never onto an empty string
    }

private:
    std::string m_prefix;
};

class Sequence : public Normalizer
{
public:
    explicit Sequence(std::vector<std::unique_ptr<Normalizer>> steps) : m_steps(std::move(steps)) {}
    std::string normalize(std::string text) const override
    {
        for (const auto &step : m_steps)
            text = step->normalize(std::move(text));
        return text;
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_steps;
};

} // namespace

std::unique_ptr<Normalizer> makeNormalizer(const JsonAt &json)
{
    if (json.isNull())
        return nullptr;
    const auto type = json["type"].string();
    if (type == "NFC")
        return std::make_unique<UnicodeForm>(NormalForm::Nfc);
    if (type == "NFD")
        return std::make_unique<UnicodeForm>(NormalForm::Nfd);
    if (type == "NFKC")
        return std::make_unique<UnicodeForm>(NormalForm::Nfkc);
    if (type == "NFKD")
        return std::make_unique<UnicodeForm>(NormalForm::Nfkd);
    if (type == "Lowercase")
        return std::make_unique<Lowercase>();
    if (type == "Strip")
        return std::make_unique<Strip>(json.boolOr("strip_left", true), json.boolOr("strip_right", true));
    if (type == "StripAccents")
        return std::make_unique<StripAccents>();
    if (type == "Replace")
        return std::make_unique<Replace>(patternOf(json["pattern"]), json["content"].string());
    if (type == "Prepend")
        return std::make_unique<Prepend>(json["prepend"].string());
    if (type == "Sequence")
        return std::make_unique<Sequence>(makeEach(json["normalizers"], makeNormalizer));
    json["type"].unsupported("normalizer", type);
}

} // namespace slim::tok
