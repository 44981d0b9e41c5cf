// Running a parsed chat template's statements: scopes (a for loop's body is its own scope, if
// blocks are not), the loop object, macros and loop controls.
#include "jinja_render_internal.h"
#include "jinja_template.h"

#include "jinja_builtins.h"
#include "jinja_error.h"
#include "tokenizer_error.h"

namespace slim::tok::jinja::detail {

namespace {

struct BreakSignal
{
};
struct ContinueSignal
{
};

} // namespace

Renderer::Renderer(const Dict &globals)
{
    m_scopes.emplace_back(builtinGlobals());
    m_scopes.emplace_back(globals);
}

void Renderer::run(const Body &body, std::string &out)
{
    for (const auto &stmt : body)
        execute(*stmt, out);
}

Value Renderer::lookup(const std::string &name) const
{
    for (auto scope = m_scopes.rbegin(); scope != m_scopes.rend(); ++scope) {
        for (const auto &[k, v] : *scope) {
            if (k == name)
                return v;
        }
    }
    return Value::undefined(name);
}

void Renderer::assign(const std::string &name, Value value)
{
    auto &scope = m_scopes.back();
    for (auto &[k, v] : scope) {
        if (k == name) {
            v = std::move(value);
            return;
        }
    }
    scope.emplace_back(name, std::move(value));
}

void Renderer::execute(const Stmt &s, std::string &out)
{
    switch (s.kind) {
    case Stmt::Kind::Text:
        out += s.text;
        return;
    case Stmt::Kind::Output: {
        const auto value = eval(*s.exprs[0]);
        out += toStr(value);
        return;
    }
    case Stmt::Kind::If:
        for (size_t i = 0; i < s.exprs.size(); ++i) {
            if (truthy(eval(*s.exprs[i]))) {
                run(s.bodies[i], out);
                return;
            }
        }
        if (s.bodies.size() > s.exprs.size())
            run(s.bodies.back(), out);
        return;
    case Stmt::Kind::For:
        executeFor(s, out);
        return;
    case Stmt::Kind::Set:
        setTarget(s, eval(*s.exprs[0]));
        return;
    case Stmt::Kind::SetBlock: {
        std::string captured;
        run(s.bodies[0], captured);
        setTarget(s, captured);
        return;
    }
    case Stmt::Kind::Macro:
        defineMacro(s);
        return;
    case Stmt::Kind::Break:
        throw BreakSignal{};
    case Stmt::Kind::Continue:
        throw ContinueSignal{};
    case Stmt::Kind::Block:
        run(s.bodies[0], out);
        return;
    }
}

void Renderer::setTarget(const Stmt &s, Value value)
{
    if (s.names.size() == 1) {
        assign(s.names[0], std::move(value));
        return;
    }
    const auto ns = lookup(s.names[0]);
    if (!ns.isDict())
        fail(s.line, "cannot assign attribute '" + s.names[1] + "' on '" + s.names[0]
                         + "' (only a namespace() takes attributes)");
    ns.set(s.names[1], std::move(value));
}

void Renderer::executeFor(const Stmt &s, std::string &out)
{
    const auto iterable = eval(*s.exprs[0]);
    List items;
    if (iterable.isDict()) {
        for (const auto &[k, v] : iterable.dict())
            items.push_back(k);
    } else if (iterable.isList()) {
        items = iterable.list();
    } else if (iterable.isString()) {
        for (const char32_t c : toU32(iterable.str()))
            items.push_back(fromU32(std::u32string(1, c)));
    } else if (!iterable.isUndefined()) {
        fail(s.line, "'" + typeName(iterable) + "' object is not iterable");
    }
    if (s.exprs[1]) { // {% for x in xs if condition %}
        List kept;
        for (const auto &item : items) {
            m_scopes.emplace_back();
            bindTargets(s, item);
            if (truthy(eval(*s.exprs[1])))
                kept.push_back(item);
            m_scopes.pop_back();
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        if (s.bodies.size() > 1)
            run(s.bodies[1], out);
        return;
    }
    const auto length = int64_t(items.size());
    for (int64_t i = 0; i < length; ++i) {
        Dict loop = {{"index0", i},
                     {"index", i + 1},
                     {"revindex", length - i},
                     {"revindex0", length - i - 1},
                     {"first", i == 0},
                     {"last", i == length - 1},
                     {"length", length},
                     {"previtem", i > 0 ? items[size_t(i - 1)] : Value::undefined("previtem")},
                     {"nextitem", i + 1 < length ? items[size_t(i + 1)] : Value::undefined("nextitem")}};
        m_scopes.emplace_back();
        m_scopes.back().emplace_back("loop", Value(loop));
        bindTargets(s, items[size_t(i)]);
        try {
            run(s.bodies[0], out);
        } catch (const BreakSignal &) {
            m_scopes.pop_back();
            break;
        } catch (const ContinueSignal &) {
        } catch (...) {
            m_scopes.pop_back();
            throw;
        }
        m_scopes.pop_back();
    }
}

void Renderer::bindTargets(const Stmt &s, const Value &item)
{
    if (s.names.size() == 1) {
        assign(s.names[0], item);
        return;
    }
    if (!item.isList() || item.list().size() != s.names.size())
        fail(s.line, "cannot unpack " + toRepr(item) + " into " + std::to_string(s.names.size())
                         + " names");
    for (size_t i = 0; i < s.names.size(); ++i)
        assign(s.names[i], item.list()[i]);
}

void Renderer::defineMacro(const Stmt &s)
{
    const Stmt *macro = &s;
    // Defaults are evaluated at call time in the caller's scope, as Jinja2 does.
    auto callable = std::make_shared<Callable>();
    callable->name = s.names[0];
    callable->call = [this, macro](const Args &args) {
        Dict scope;
        for (size_t i = 1; i < macro->names.size(); ++i) {
            auto value = args.at(i - 1, macro->names[i]);
            if (value.isUndefined() && macro->exprs[i - 1])
                value = eval(*macro->exprs[i - 1]);
            scope.emplace_back(macro->names[i], value);
        }
        m_scopes.push_back(std::move(scope));
        std::string out;
        try {
            run(macro->bodies[0], out);
        } catch (...) {
            m_scopes.pop_back();
            throw;
        }
        m_scopes.pop_back();
        return Value(out);
    };
    assign(s.names[0], Value(callable));
}

} // namespace slim::tok::jinja::detail

namespace slim::tok::jinja {

using namespace detail;

std::string Template::render(const Dict &globals) const
{
    Renderer renderer(globals);
    std::string out;
    try {
        renderer.run(m_body, out);
    } catch (const BreakSignal &) {
        throw TokenizerError("chat template: 'break' outside a loop");
    } catch (const ContinueSignal &) {
        throw TokenizerError("chat template: 'continue' outside a loop");
    }
    return out;
}

} // namespace slim::tok::jinja
