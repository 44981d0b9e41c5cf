// Parsing of a tag's tokens into jinja_ast.h's expressions, with Python's operator precedence,
// calls with keyword arguments, subscripts and slices, filters and tests.
#include "jinja_parser_internal.h"

#include "jinja_error.h"

#include <algorithm>

namespace slim::tok::jinja::detail {

bool ExprParser::isName(const std::string &name, size_t ahead) const
{
    const auto &t = peek(ahead);
    return t.kind == Token::Kind::Name && t.text == name;
}

bool ExprParser::isOp(const std::string &op, size_t ahead) const
{
    const auto &t = peek(ahead);
    return t.kind == Token::Kind::Op && t.text == op;
}

std::string ExprParser::name()
{
    if (peek().kind != Token::Kind::Name)
        fail(m_line, "expected a name, found '" + peek().text + "'");
    return m_tokens[m_pos++].text;
}

void ExprParser::expectOp(const std::string &op)
{
    if (!isOp(op))
        fail(m_line, "expected '" + op + "', found '" + peek().text + "'");
    ++m_pos;
}

void ExprParser::expectName(const std::string &word)
{
    if (!isName(word))
        fail(m_line, "expected '" + word + "', found '" + peek().text + "'");
    ++m_pos;
}

void ExprParser::expectEnd()
{
    if (!atEnd())
        fail(m_line, "unexpected '" + peek().text + "'");
}

bool ExprParser::acceptOp(const std::string &op)
{
    if (!isOp(op))
        return false;
    ++m_pos;
    return true;
}

bool ExprParser::acceptName(const std::string &word)
{
    if (!isName(word))
        return false;
    ++m_pos;
    return true;
}

std::vector<std::string> ExprParser::targets()
{
    std::vector<std::string> names{name()};
    while (acceptOp(","))
        names.push_back(name());
    return names;
}

const Token &ExprParser::peek(size_t ahead) const
{
    return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
}

ExprPtr ExprParser::make(Expr::Kind kind)
{
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = m_line;
    return e;
}

ExprPtr ExprParser::binary(std::string op, ExprPtr a, ExprPtr b)
{
    auto e = make(Expr::Kind::Binary);
    e->name = std::move(op);
    e->children.push_back(std::move(a));
    e->children.push_back(std::move(b));
    return e;
}

// ---- The grammar, from the lowest precedence up ---------------------------------------------

ExprPtr ExprParser::ternary()
{
    auto value = logicalOr();
    if (!acceptName("if"))
        return value;
    auto e = make(Expr::Kind::Ternary);
    e->children.push_back(logicalOr()); // condition
    e->children.push_back(std::move(value));
    e->children.push_back(acceptName("else") ? ternary() : nullptr);
    return e;
}

ExprPtr ExprParser::logicalOr()
{
    auto left = logicalAnd();
    while (acceptName("or"))
        left = binary("or", std::move(left), logicalAnd());
    return left;
}

ExprPtr ExprParser::logicalAnd()
{
    auto left = logicalNot();
    while (acceptName("and"))
        left = binary("and", std::move(left), logicalNot());
    return left;
}

ExprPtr ExprParser::logicalNot()
{
    if (acceptName("not")) {
        auto e = make(Expr::Kind::Not);
        e->children.push_back(logicalNot());
        return e;
    }
    return compare();
}

ExprPtr ExprParser::compare()
{
    auto left = math1();
    for (;;) {
        std::string op;
        for (const char *candidate : {"==", "!=", "<=", ">=", "<", ">"}) {
            if (isOp(candidate)) {
                op = candidate;
                break;
            }
        }
        if (!op.empty()) {
            ++m_pos;
        } else if (isName("in")) {
            ++m_pos;
            op = "in";
        } else if (isName("not") && isName("in", 1)) {
            m_pos += 2;
            op = "not in";
        } else {
            return left;
        }
        left = binary(op, std::move(left), math1());
    }
}

ExprPtr ExprParser::math1()
{
    auto left = concat();
    while (isOp("+") || isOp("-")) {
        const auto op = m_tokens[m_pos++].text;
        left = binary(op, std::move(left), concat());
    }
    return left;
}

ExprPtr ExprParser::concat()
{
    auto left = math2();
    while (acceptOp("~"))
        left = binary("~", std::move(left), math2());
    return left;
}

ExprPtr ExprParser::math2()
{
    auto left = power();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
        const auto op = m_tokens[m_pos++].text;
        left = binary(op, std::move(left), power());
    }
    return left;
}

ExprPtr ExprParser::power()
{
    auto left = unary();
    while (acceptOp("**"))
        left = binary("**", std::move(left), unary());
    return left;
}

ExprPtr ExprParser::unary()
{
    if (acceptOp("-")) {
        auto e = make(Expr::Kind::Negate);
        e->children.push_back(unary());
        return filters(std::move(e));
    }
    if (acceptOp("+"))
        return unary();
    return filters(postfix(primary()));
}

ExprPtr ExprParser::primary()
{
    const auto &t = peek();
    if (t.kind == Token::Kind::String) {
        // Adjacent string literals concatenate, as in Python.
        std::string value;
        while (peek().kind == Token::Kind::String)
            value += m_tokens[m_pos++].text;
        auto e = make(Expr::Kind::Literal);
        e->literal = value;
        return e;
    }
    if (t.kind == Token::Kind::Int || t.kind == Token::Kind::Float) {
        auto e = make(Expr::Kind::Literal);
        e->literal = m_tokens[m_pos++].value;
        return e;
    }
    if (t.kind == Token::Kind::Name) {
        const auto word = m_tokens[m_pos++].text;
        auto e = make(Expr::Kind::Literal);
        if (word == "true" || word == "True")
            e->literal = true;
        else if (word == "false" || word == "False")
            e->literal = false;
        else if (word == "none" || word == "None")
            e->literal = None{};
        else {
            e->kind = Expr::Kind::Name;
            e->name = word;
        }
        return e;
    }
    if (acceptOp("(")) {
        if (acceptOp(")"))
            return make(Expr::Kind::List); // () as an empty tuple
        auto first = expression();
        if (!isOp(",")) {
            expectOp(")");
            return first;
        }
        auto tuple = make(Expr::Kind::List);
        tuple->children.push_back(std::move(first));
        while (acceptOp(",") && !isOp(")"))
            tuple->children.push_back(expression());
        expectOp(")");
        return tuple;
    }
    if (acceptOp("[")) {
        auto list = make(Expr::Kind::List);
        while (!isOp("]")) {
            list->children.push_back(expression());
            if (!acceptOp(","))
                break;
        }
        expectOp("]");
        return list;
    }
    if (acceptOp("{")) {
        auto dict = make(Expr::Kind::Dict);
        while (!isOp("}")) {
            dict->children.push_back(expression());
            expectOp(":");
            dict->children.push_back(expression());
            if (!acceptOp(","))
                break;
        }
        expectOp("}");
        return dict;
    }
    if (t.kind == Token::Kind::End)
        fail(m_line, "expected an expression, found the end of the tag");
    fail(m_line, "unexpected '" + t.text + "'");
}

void ExprParser::callArguments(Expr &call)
{
    // After "(": positional arguments, then name=value keywords.
    std::vector<ExprPtr> keywordValues;
    while (!isOp(")")) {
        if (peek().kind == Token::Kind::Name && isOp("=", 1)) {
            call.keywords.push_back(name());
            ++m_pos;
            keywordValues.push_back(expression());
        } else {
            if (!keywordValues.empty())
                fail(m_line, "positional argument after a keyword argument");
            call.children.push_back(expression());
        }
        if (!acceptOp(","))
            break;
    }
    expectOp(")");
    for (auto &v : keywordValues)
        call.children.push_back(std::move(v));
}

ExprPtr ExprParser::postfix(ExprPtr e)
{
    for (;;) {
        if (acceptOp(".")) {
            auto attr = make(Expr::Kind::GetAttr);
            attr->name = peek().kind == Token::Kind::Int ? m_tokens[m_pos++].text : name();
            attr->children.push_back(std::move(e));
            e = std::move(attr);
        } else if (acceptOp("[")) {
            ExprPtr parts[3];
            bool isSlice = false;
            for (int i = 0; i < 3; ++i) {
                if (!isOp(":") && !isOp("]"))
                    parts[i] = expression();
                if (i < 2 && acceptOp(":"))
                    isSlice = true;
                else
                    break;
            }
            expectOp("]");
            auto index = make(isSlice ? Expr::Kind::Slice : Expr::Kind::GetItem);
            index->children.push_back(std::move(e));
            if (isSlice) {
                for (auto &p : parts)
                    index->children.push_back(std::move(p));
            } else {
                if (!parts[0])
                    fail(m_line, "empty subscript");
                index->children.push_back(std::move(parts[0]));
            }
            e = std::move(index);
        } else if (acceptOp("(")) {
            auto call = make(Expr::Kind::Call);
            call->children.push_back(std::move(e));
            callArguments(*call);
            e = std::move(call);
        } else {
            return e;
        }
    }
}

ExprPtr ExprParser::filters(ExprPtr e)
{
    for (;;) {
        if (acceptOp("|")) {
            auto filter = make(Expr::Kind::Filter);
            filter->name = name();
            filter->children.push_back(std::move(e));
            if (acceptOp("("))
                callArguments(*filter);
            e = std::move(filter);
        } else if (acceptName("is")) {
            auto test = make(Expr::Kind::Test);
            test->negated = acceptName("not");
            test->name = name();
            test->children.push_back(std::move(e));
            if (acceptOp("(")) {
                callArguments(*test);
            } else if (peek().kind != Token::Kind::End && peek().kind != Token::Kind::Op
                       && !isName("and") && !isName("or") && !isName("else")
                       && !isName("if") && !isName("in") && !isName("not")) {
                test->children.push_back(postfix(primary())); // "is equalto 3"
            }
            e = std::move(test);
        } else {
            return e;
        }
    }
}

} // namespace slim::tok::jinja::detail
