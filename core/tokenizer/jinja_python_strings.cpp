// Python's str operations that take Jinja values (strip with characters, split, replace,
// startswith/endswith), as the filters and the str methods of chat templates run them; the
// plain ones are python_str.h.
#include "jinja_builtins_internal.h"

#include "unicode_text.h"

namespace slim::tok::jinja::detail {

// Python's str.strip / lstrip / rstrip with optional characters.
std::string stripChars(const std::string &s, const Value &chars, bool left, bool right)
{
    if (chars.isUndefined() || chars.isNone())
        return tok::stripPythonSpace(s, left, right);
    const auto text = toU32(s);
    const auto set = toU32(needString(chars, "strip"));
    const auto strip = [&](char32_t c) { return set.find(c) != std::u32string::npos; };
    size_t begin = 0, end = text.size();
    while (left && begin < end && strip(text[begin]))
        ++begin;
    while (right && end > begin && strip(text[end - 1]))
        --end;
    return fromU32(text.substr(begin, end - begin));
}

Value split(const std::string &s, const Value &sep, const Value &maxSplit)
{
    List parts;
    int64_t remaining = maxSplit.isInt() ? maxSplit.integer() : -1;
    if (sep.isUndefined() || sep.isNone()) { // runs of whitespace, no empty parts
        const auto text = toU32(s);
        size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && isPythonSpace(text[i]))
                ++i;
            if (i >= text.size())
                break;
            if (remaining == 0) {
                auto rest = text.substr(i);
                while (!rest.empty() && isPythonSpace(rest.back()))
                    rest.pop_back();
                parts.push_back(fromU32(rest));
                break;
            }
            size_t j = i;
            while (j < text.size() && !isPythonSpace(text[j]))
                ++j;
            parts.push_back(fromU32(text.substr(i, j - i)));
            --remaining;
            i = j;
        }
        return parts;
    }
    const auto &separator = needString(sep, "split");
    if (separator.empty())
        typeError("empty separator");
    size_t previous = 0;
    for (size_t pos; remaining != 0 && (pos = s.find(separator, previous)) != std::string::npos; --remaining) {
        parts.push_back(s.substr(previous, pos - previous));
        previous = pos + separator.size();
    }
    parts.push_back(s.substr(previous));
    return parts;
}

std::string replaceAll(const std::string &s, const std::string &from, const std::string &to,
                       int64_t count)
{
    if (from.empty()) { // Python inserts `to` between characters
        std::string out;
        const auto text = toU32(s);
        for (size_t i = 0; i <= text.size(); ++i) {
            if (count < 0 || int64_t(i) < count)
                out += to;
            if (i < text.size())
                appendChar(out, text[i]);
        }
        return out;
    }
    std::string out;
    size_t previous = 0;
    for (size_t pos; count != 0 && (pos = s.find(from, previous)) != std::string::npos; --count) {
        out.append(s, previous, pos - previous).append(to);
        previous = pos + from.size();
    }
    return out.append(s, previous);
}

bool matchesAffix(const std::string &s, const Value &affix, bool prefix)
{
    const auto one = [&](const std::string &a) {
        return a.size() <= s.size()
               && (prefix ? s.compare(0, a.size(), a) == 0
                          : s.compare(s.size() - a.size(), a.size(), a) == 0);
    };
    if (affix.isList()) {
        for (const auto &a : affix.list()) {
            if (one(needString(a, prefix ? "startswith" : "endswith")))
                return true;
        }
        return false;
    }
    return one(needString(affix, prefix ? "startswith" : "endswith"));
}

} // namespace slim::tok::jinja::detail
