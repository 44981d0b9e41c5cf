// Checking and iterating the values the builtins receive, with Python's error messages.
#include "jinja_builtins_internal.h"

#include "tokenizer_error.h"

namespace slim::tok::jinja::detail {

[[noreturn]] void typeError(const std::string &message)
{
    throw TokenizerError(message);
}

const std::string &needString(const Value &v, const std::string &what)
{
    if (!v.isString())
        typeError(what + " expects a string, got " + typeName(v));
    return v.str();
}

List itemsOf(const Value &dict)
{
    List items;
    for (const auto &[k, v] : dict.dict())
        items.push_back(List{Value(k), v});
    return items;
}

List listOf(const Value &value, const std::string &what)
{
    if (value.isList())
        return value.list();
    if (value.isDict()) {
        List keys;
        for (const auto &[k, v] : value.dict())
            keys.push_back(k);
        return keys;
    }
    if (value.isString()) {
        List chars;
        for (const char32_t c : toU32(value.str()))
            chars.push_back(fromU32(std::u32string(1, c)));
        return chars;
    }
    if (value.isUndefined())
        return {};
    typeError("'" + typeName(value) + "' object is not iterable (" + what + ")");
}

} // namespace slim::tok::jinja::detail
