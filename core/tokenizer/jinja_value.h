#pragma once
// Values of the chat-template interpreter, with Python's (and so Jinja2's) semantics: truth,
// equality, ordering, str() and repr(), JSON in and out (json.dumps with transformers' tojson
// options). Lists and dicts are shared (a namespace() is a mutable dict).

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace slim::tok::jinja {

struct Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>; // insertion-ordered
struct Undefined
{
    std::string name; // what was looked up, for the error when it is used
};
struct None
{
};
struct Callable;

struct Value
{
    std::variant<Undefined, None, bool, int64_t, double, std::string, std::shared_ptr<List>,
                 std::shared_ptr<Dict>, std::shared_ptr<Callable>>
        v;

    Value() : v(Undefined{}) {}
    Value(None n) : v(n) {}
    Value(bool b) : v(b) {}
    Value(int64_t i) : v(i) {}
    Value(int i) : v(int64_t(i)) {}
    Value(double d) : v(d) {}
    Value(std::string s) : v(std::move(s)) {}
    Value(const char *s) : v(std::string(s)) {}
    Value(List l) : v(std::make_shared<List>(std::move(l))) {}
    Value(Dict d) : v(std::make_shared<Dict>(std::move(d))) {}
    Value(std::shared_ptr<Callable> c) : v(std::move(c)) {}
    static Value undefined(std::string name) { Value u; u.v = Undefined{std::move(name)}; return u; }

    bool isUndefined() const { return std::holds_alternative<Undefined>(v); }
    bool isNone() const { return std::holds_alternative<None>(v); }
    bool isBool() const { return std::holds_alternative<bool>(v); }
    bool isInt() const { return std::holds_alternative<int64_t>(v); }
    bool isFloat() const { return std::holds_alternative<double>(v); }
    bool isNumber() const { return isInt() || isFloat(); }
    bool isString() const { return std::holds_alternative<std::string>(v); }
    bool isList() const { return std::holds_alternative<std::shared_ptr<List>>(v); }
    bool isDict() const { return std::holds_alternative<std::shared_ptr<Dict>>(v); }
    bool isCallable() const { return std::holds_alternative<std::shared_ptr<Callable>>(v); }

    const std::string &str() const { return std::get<std::string>(v); }
    List &list() const { return *std::get<std::shared_ptr<List>>(v); }
    Dict &dict() const { return *std::get<std::shared_ptr<Dict>>(v); }
    Callable &callable() const { return *std::get<std::shared_ptr<Callable>>(v); }
    double number() const { return isInt() ? double(std::get<int64_t>(v)) : isBool() ? double(std::get<bool>(v)) : std::get<double>(v); }
    int64_t integer() const { return isBool() ? int64_t(std::get<bool>(v)) : std::get<int64_t>(v); }

    // A dict's entry, or undefined.
    Value get(const std::string &key) const;
    void set(const std::string &key, Value value) const; // dicts only
};

// Positional and keyword arguments of a call.
struct Args
{
    List positional;
    Dict keywords;
    // The argument at `index` or named `name`, else `fallback`.
    Value at(size_t index, const std::string &name, Value fallback = {}) const;
};

struct Callable
{
    std::string name;
    std::function<Value(const Args &)> call;
};

std::string typeName(const Value &value); // Python's: "str", "list", "NoneType", ...
bool truthy(const Value &value);
bool equal(const Value &a, const Value &b);
// a < b for numbers and strings (code points); throws for other types.
bool less(const Value &a, const Value &b);
std::string toStr(const Value &value);  // Python's str()
std::string toRepr(const Value &value); // Python's repr()
// Python's json.dumps(value, ensure_ascii=False, indent=indent (< 0: none)).
std::string toJson(const Value &value, int indent = -1, bool sortKeys = false);
Value fromJson(const nlohmann::ordered_json &json);

// Code-point helpers for Python string semantics.
std::u32string toU32(const std::string &text);
std::string fromU32(const std::u32string &text);

} // namespace slim::tok::jinja
