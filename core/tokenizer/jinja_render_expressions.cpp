// Evaluating a parsed chat template's expressions: names, attributes and subscripts (dict keys,
// then methods), slices, calls, filters and tests, and Jinja2's operators on Python values.
#include "jinja_render_internal.h"

#include "jinja_builtins.h"
#include "jinja_error.h"
#include "tokenizer_error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

namespace slim::tok::jinja::detail {

Args Renderer::arguments(const Expr &e, size_t skip)
{
    Args args;
    const size_t keywordStart = e.children.size() - e.keywords.size();
    for (size_t i = skip; i < keywordStart; ++i)
        args.positional.push_back(eval(*e.children[i]));
    for (size_t i = 0; i < e.keywords.size(); ++i)
        args.keywords.emplace_back(e.keywords[i], eval(*e.children[keywordStart + i]));
    return args;
}

void Renderer::requireDefined(const Value &v, int line)
{
    if (v.isUndefined())
        fail(line, "'" + std::get<Undefined>(v.v).name + "' is undefined");
}

Value Renderer::eval(const Expr &e)
{
    try {
        return evalUnchecked(e);
    } catch (const TokenizerError &error) {
        const std::string message = error.what();
        if (message.rfind("chat template", 0) == 0)
            throw;
        fail(e.line, message);
    }
}

Value Renderer::evalUnchecked(const Expr &e)
{
    switch (e.kind) {
    case Expr::Kind::Literal:
        return e.literal;
    case Expr::Kind::Name:
        return lookup(e.name);
    case Expr::Kind::List: {
        List list;
        for (const auto &c : e.children)
            list.push_back(eval(*c));
        return list;
    }
    case Expr::Kind::Dict: {
        Dict dict;
        for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
            Value holder(Dict{});
            holder.dict() = dict;
            holder.set(toStr(eval(*e.children[i])), eval(*e.children[i + 1]));
            dict = holder.dict();
        }
        return dict;
    }
    case Expr::Kind::GetAttr: {
        const auto object = eval(*e.children[0]);
        requireDefined(object, e.line);
        return attribute(object, e.name);
    }
    case Expr::Kind::GetItem: {
        const auto object = eval(*e.children[0]);
        requireDefined(object, e.line);
        const auto key = eval(*e.children[1]);
        if (key.isString()) {
            const auto value = object.isDict() ? object.get(key.str()) : Value::undefined(key.str());
            return value.isUndefined() ? methodOf(object, key.str()) : value;
        }
        if (key.isInt() || key.isBool())
            return index(object, key.integer());
        fail(e.line, "cannot index a " + typeName(object) + " with a " + typeName(key));
    }
    case Expr::Kind::Slice:
        return slice(e);
    case Expr::Kind::Call: {
        const auto function = eval(*e.children[0]);
        if (!function.isCallable()) {
            if (function.isUndefined())
                fail(e.line, "'" + std::get<Undefined>(function.v).name
                                 + "' is undefined (not a function the chat template may call)");
            const auto type = typeName(function); // "'" + a temporary: GCC 12's false -Wrestrict
            fail(e.line, "'" + type + "' object is not callable");
        }
        return function.callable().call(arguments(e, 1));
    }
    case Expr::Kind::Filter: {
        const auto value = eval(*e.children[0]);
        return applyFilter(e.name, value, arguments(e, 1));
    }
    case Expr::Kind::Test: {
        if (!hasTest(e.name))
            fail(e.line, "unsupported test '" + e.name + "'");
        const auto value = eval(*e.children[0]);
        return applyTest(e.name, value, arguments(e, 1)) != e.negated;
    }
    case Expr::Kind::Not:
        return !truthy(eval(*e.children[0]));
    case Expr::Kind::Negate: {
        const auto v = eval(*e.children[0]);
        if (v.isInt())
            return -v.integer();
        if (v.isFloat())
            return -v.number();
        fail(e.line, "bad operand type for unary -: '" + typeName(v) + "'");
    }
    case Expr::Kind::Ternary: {
        if (truthy(eval(*e.children[0])))
            return eval(*e.children[1]);
        return e.children[2] ? eval(*e.children[2]) : Value::undefined("else");
    }
    case Expr::Kind::Binary:
        return binary(e);
    }
    return {};
}

Value Renderer::attribute(const Value &object, const std::string &name)
{
    if (object.isDict()) {
        const auto value = object.get(name);
        if (!value.isUndefined())
            return value;
    }
    const auto method = methodOf(object, name);
    if (!method.isUndefined())
        return method;
    if (object.isList() && !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])))
        return index(object, std::stoll(name));
    return Value::undefined(name);
}

Value Renderer::index(const Value &object, int64_t i)
{
    if (object.isList()) {
        const auto n = int64_t(object.list().size());
        const auto k = i < 0 ? i + n : i;
        return k >= 0 && k < n ? object.list()[size_t(k)] : Value::undefined(std::to_string(i));
    }
    if (object.isString()) {
        const auto text = toU32(object.str());
        const auto n = int64_t(text.size());
        const auto k = i < 0 ? i + n : i;
        return k >= 0 && k < n ? Value(fromU32(text.substr(size_t(k), 1)))
                               : Value::undefined(std::to_string(i));
    }
    if (object.isDict())
        return object.get(std::to_string(i));
    return Value::undefined(std::to_string(i));
}

Value Renderer::slice(const Expr &e)
{
    const auto object = eval(*e.children[0]);
    requireDefined(object, e.line);
    const auto part = [&](size_t i) -> std::optional<int64_t> {
        if (!e.children[i])
            return std::nullopt;
        const auto v = eval(*e.children[i]);
        if (v.isNone())
            return std::nullopt;
        return v.integer();
    };
    const int64_t step = part(3).value_or(1);
    if (step == 0)
        fail(e.line, "slice step cannot be zero");
    const bool isString = object.isString();
    const auto text = isString ? toU32(object.str()) : std::u32string();
    if (!isString && !object.isList())
        fail(e.line, "cannot slice a " + typeName(object));
    const int64_t n = isString ? int64_t(text.size()) : int64_t(object.list().size());
    // Python's slice.indices.
    const auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
        if (!v)
            return fallback;
        int64_t x = *v < 0 ? *v + n : *v;
        if (step > 0)
            return std::clamp<int64_t>(x, 0, n);
        return std::clamp<int64_t>(x, -1, n - 1);
    };
    const int64_t start = clamp(part(1), step > 0 ? 0 : n - 1);
    const int64_t stop = clamp(part(2), step > 0 ? n : -1);
    std::u32string outText;
    List outList;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (isString)
            outText.push_back(text[size_t(i)]);
        else
            outList.push_back(object.list()[size_t(i)]);
    }
    return isString ? Value(fromU32(outText)) : Value(outList);
}

Value Renderer::binary(const Expr &e)
{
    const auto &op = e.name;
    if (op == "and") {
        auto left = eval(*e.children[0]);
        return truthy(left) ? eval(*e.children[1]) : left;
    }
    if (op == "or") {
        auto left = eval(*e.children[0]);
        return truthy(left) ? left : eval(*e.children[1]);
    }
    const auto a = eval(*e.children[0]);
    const auto b = eval(*e.children[1]);
    if (op == "==")
        return equal(a, b);
    if (op == "!=")
        return !equal(a, b);
    if (op == "<")
        return less(a, b);
    if (op == ">")
        return less(b, a);
    if (op == "<=")
        return !less(b, a);
    if (op == ">=")
        return !less(a, b);
    if (op == "in" || op == "not in") {
        bool found = false;
        if (b.isString()) {
            if (!a.isString())
                fail(e.line, "'in <string>' requires a string as left operand, not " + typeName(a));
            found = b.str().find(a.str()) != std::string::npos;
        } else if (b.isDict()) {
            found = a.isString() && !b.get(a.str()).isUndefined();
        } else if (b.isList()) {
            for (const auto &item : b.list())
                found = found || equal(item, a);
        } else if (!b.isUndefined()) {
            fail(e.line, "argument of type '" + typeName(b) + "' is not iterable");
        }
        return op == "in" ? found : !found;
    }
    if (op == "~")
        return toStr(a) + toStr(b);
    if (op == "+") {
        if (a.isString() && b.isString())
            return a.str() + b.str();
        if (a.isList() && b.isList()) {
            List joined = a.list();
            joined.insert(joined.end(), b.list().begin(), b.list().end());
            return joined;
        }
    }
    if (op == "*" && ((a.isString() && b.isInt()) || (a.isInt() && b.isString()))) {
        const auto &s = a.isString() ? a.str() : b.str();
        std::string out;
        for (int64_t i = 0; i < (a.isInt() ? a.integer() : b.integer()); ++i)
            out += s;
        return out;
    }
    const bool numeric = (a.isNumber() || a.isBool()) && (b.isNumber() || b.isBool());
    if (!numeric) {
        requireDefined(a, e.line);
        requireDefined(b, e.line);
        fail(e.line, "unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                         + typeName(b) + "'");
    }
    const bool integers = !a.isFloat() && !b.isFloat();
    if (op == "+")
        return integers ? Value(a.integer() + b.integer()) : Value(a.number() + b.number());
    if (op == "-")
        return integers ? Value(a.integer() - b.integer()) : Value(a.number() - b.number());
    if (op == "*")
        return integers ? Value(a.integer() * b.integer()) : Value(a.number() * b.number());
    if ((op == "/" || op == "//" || op == "%") && b.number() == 0)
        fail(e.line, "division by zero");
    if (op == "/")
        return a.number() / b.number();
    if (op == "//") {
        if (integers) {
            const auto q = a.integer() / b.integer();
            return (a.integer() % b.integer() != 0 && ((a.integer() < 0) != (b.integer() < 0))) ? q - 1 : q;
        }
        return std::floor(a.number() / b.number());
    }
    if (op == "%") {
        if (integers) {
            const auto r = a.integer() % b.integer();
            return r != 0 && ((r < 0) != (b.integer() < 0)) ? r + b.integer() : r;
        }
        const double r = std::fmod(a.number(), b.number());
        return r != 0 && ((r < 0) != (b.number() < 0)) ? r + b.number() : r;
    }
    if (op == "**")
        return integers && b.integer() >= 0 ? Value(int64_t(std::llround(std::pow(a.number(), b.number()))))
                                            : Value(std::pow(a.number(), b.number()));
    fail(e.line, "unsupported operator '" + op + "'");
}

} // namespace slim::tok::jinja::detail
