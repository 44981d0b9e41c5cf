#include "answer_extraction.h"

#include "tokenizer/python_str.h"

#include <algorithm>
#include <regex>

namespace slim::suites {

namespace {

constexpr const char *kInvalid = "[invalid]";

// re.search(pattern).group(1).strip(), or "[invalid]".
std::string firstGroup(const std::regex &pattern, const std::string &text)
{
    std::smatch match;
    if (!std::regex_search(text, match, pattern))
        return kInvalid;
    return tok::stripPythonSpace(match[1].str());
}

// GSM8K's flexible-extract: re.findall of (-?[$0-9.,]{2,})|(-?[0-9]+), the last match, its
// first non-empty group, stripped.
std::string lastNumber(const std::string &text)
{
    static const std::regex pattern("(-?[$0-9.,]{2,})|(-?[0-9]+)");
    std::string last;
    bool found = false;
    for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
        found = true;
        last = (*it)[1].matched && (*it)[1].length() > 0 ? (*it)[1].str() : (*it)[2].str();
    }
    return found ? tok::stripPythonSpace(last) : std::string(kInvalid);
}

void eraseAll(std::string &s, char c)
{
    s.erase(std::remove(s.begin(), s.end(), c), s.end());
}

// GSM8K's regexes_to_ignore, in order: ",", "\$", "(?s).*#### ", "\.$"; then lower case.
std::string gsm8kNormalised(std::string_view text)
{
    std::string s(text);
    eraseAll(s, ',');
    eraseAll(s, '$');
    const auto marker = s.rfind("#### "); // (?s).*#### is greedy: through the last one
    if (marker != std::string::npos)
        s.erase(0, marker + 5);
    // Python's $ matches at the end and before a final newline.
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    else if (s.size() >= 2 && s.back() == '\n' && s[s.size() - 2] == '.')
        s.erase(s.size() - 2, 1);
    return tok::mapCase(s, false);
}

} // namespace

std::string cutAtStop(std::string_view generated, const std::vector<std::string> &until)
{
    std::string text(generated);
    for (const auto &stop : until) {
        if (stop.empty())
            continue;
        const auto at = text.find(stop);
        if (at != std::string::npos)
            text.resize(at);
    }
    return text;
}

std::vector<FilteredAnswer> extractAnswers(AnswerFilter filter, std::string_view generated)
{
    const std::string text(generated);
    switch (filter) {
    case AnswerFilter::Line:
        return {{"line", tok::stripPythonSpace(text.substr(0, text.find('\n')))}};
    case AnswerFilter::Gsm8k: {
        static const std::regex strict("#### (-?[0-9.,]+)");
        return {{"strict-match", firstGroup(strict, text)}, {"flexible-extract", lastNumber(text)}};
    }
    case AnswerFilter::Gsm8kCot: {
        // "The answer is (\-?[0-9\.\,]+)." where the final "." is any character but a newline.
        static const std::regex strict("The answer is (-?[0-9.,]+)[^\\n]");
        return {{"strict-match", firstGroup(strict, text)}, {"flexible-extract", lastNumber(text)}};
    }
    }
    return {};
}

bool exactMatch(AnswerFilter filter, std::string_view prediction, std::string_view reference)
{
    if (filter == AnswerFilter::Line)
        return tok::stripPythonSpace(prediction) == tok::stripPythonSpace(reference);
    return gsm8kNormalised(prediction) == gsm8kNormalised(reference);
}

} // namespace slim::suites
