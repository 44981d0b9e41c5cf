#pragma once
// Reading tokenizer.json fields with errors that name the file and the JSON path
// ("tokenizer.json: pre_tokenizer.pretokenizers[0].behavior: ...").

#include "regex_matcher.h"
#include "tokenizer_error.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace slim::tok {

struct JsonAt
{
    const nlohmann::json &value;
    std::string path; // "tokenizer.json: model.merges[3]"

    JsonAt operator[](const std::string &key) const;
    JsonAt operator[](size_t index) const;
    bool has(const std::string &key) const;
    bool isNull() const { return value.is_null(); }

    std::string string() const;
    std::string stringOr(const std::string &key, const std::string &fallback) const;
    bool boolOr(const std::string &key, bool fallback) const;
    long long integer() const;
    const nlohmann::json &array() const;
    const nlohmann::json &object() const;

    [[noreturn]] void fail(const std::string &message) const;
    // "unsupported <what> '<name>'" naming this path.
    [[noreturn]] void unsupported(const std::string &what, const std::string &name) const;
};

// The components a "Sequence" lists, each made by `make` (JSON nulls skipped).
template<typename Make>
auto makeEach(const JsonAt &list, Make make)
{
    std::vector<decltype(make(list))> steps;
    for (size_t i = 0; i < list.array().size(); ++i) {
        if (auto step = make(list[i]))
            steps.push_back(std::move(step));
    }
    return steps;
}

// A Split/Replace pattern: {"String": literal} or {"Regex": Oniguruma-style regex}.
RegexMatcher patternOf(const JsonAt &json);

} // namespace slim::tok
