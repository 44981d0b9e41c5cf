// Lexing and parsing of chat templates into jinja_ast.h's tree, with Jinja2's whitespace rules
// (trim_blocks, lstrip_blocks, "-" and "+" modifiers) and operator precedence.
#include "jinja_template.h"

#include "tokenizer_error.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace slim::tok::jinja {

namespace {

[[noreturn]] void fail(int line, const std::string &message)
{
    throw TokenizerError("chat template line " + std::to_string(line) + ": " + message);
}

// ---- Splitting the source into text and tags ---------------------------------------------

struct Chunk
{
    enum class Kind { Text, Output, Statement } kind;
    std::string content;
    int line;
};

int lineAt(const std::string &s, size_t pos)
{
    return 1 + int(std::count(s.begin(), s.begin() + long(pos), '\n'));
}

// The end of a tag opened at `from` (after "{{" / "{%"), skipping string literals.
size_t findTagEnd(const std::string &s, size_t from, const std::string &close)
{
    char quote = 0;
    for (size_t i = from; i < s.size(); ++i) {
        if (quote) {
            if (s[i] == '\\')
                ++i;
            else if (s[i] == quote)
                quote = 0;
        } else if (s[i] == '\'' || s[i] == '"') {
            quote = s[i];
        } else if (s.compare(i, close.size(), close) == 0) {
            return i;
        }
    }
    return std::string::npos;
}

void rstripAll(std::string &text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
}

// lstrip_blocks: spaces and tabs between the line start and a block tag go.
void lstripLine(std::string &text, bool atTemplateStart)
{
    size_t i = text.size();
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        --i;
    if ((i == 0 && atTemplateStart) || (i > 0 && text[i - 1] == '\n'))
        text.erase(i);
}

std::vector<Chunk> splitSource(const std::string &s)
{
    std::vector<Chunk> chunks;
    std::string text;
    bool stripNextLeading = false, trimNextNewline = false;
    size_t pos = 0;
    const auto pushText = [&] {
        if (!text.empty())
            chunks.push_back({Chunk::Kind::Text, text, 0});
        text.clear();
    };
    while (pos <= s.size()) {
        const size_t open = s.find('{', pos);
        size_t tag = std::string::npos;
        for (size_t i = open; i != std::string::npos && i + 1 < s.size(); i = s.find('{', i + 1)) {
            if (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#') {
                tag = i;
                break;
            }
        }
        std::string piece = s.substr(pos, tag == std::string::npos ? std::string::npos : tag - pos);
        if (stripNextLeading) {
            size_t k = 0;
            while (k < piece.size() && std::isspace(static_cast<unsigned char>(piece[k])))
                ++k;
            piece.erase(0, k);
        } else if (trimNextNewline && !piece.empty() && piece[0] == '\n') {
            piece.erase(0, 1);
        }
        stripNextLeading = trimNextNewline = false;
        text += piece;
        if (tag == std::string::npos)
            break;
        const char type = s[tag + 1];
        size_t inner = tag + 2;
        const int line = lineAt(s, tag);
        const bool minusLeft = inner < s.size() && s[inner] == '-';
        const bool plusLeft = inner < s.size() && s[inner] == '+';
        if (minusLeft || plusLeft)
            ++inner;
        if (minusLeft)
            rstripAll(text);
        else if (type != '{' && !plusLeft)
            lstripLine(text, chunks.empty());
        const std::string close = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
        const size_t end = type == '#' ? s.find(close, inner) : findTagEnd(s, inner, close);
        if (end == std::string::npos)
            fail(line, std::string("unclosed '{") + type + "'");
        size_t contentEnd = end;
        const bool minusRight = contentEnd > inner && s[contentEnd - 1] == '-';
        if (minusRight || (contentEnd > inner && s[contentEnd - 1] == '+'))
            --contentEnd;
        std::string content = s.substr(inner, contentEnd - inner);
        pos = end + 2;
        stripNextLeading = minusRight;
        trimNextNewline = !minusRight && type != '{';
        if (type == '#')
            continue;
        // {% raw %} ... {% endraw %}: verbatim text.
        auto trimmed = content;
        trimmed.erase(0, trimmed.find_first_not_of(" \t\n"));
        trimmed.erase(trimmed.find_last_not_of(" \t\n") + 1);
        if (type == '%' && trimmed == "raw") {
            size_t search = pos;
            size_t endTag = std::string::npos, endClose = 0;
            while ((endTag = s.find("{%", search)) != std::string::npos) {
                const auto close2 = s.find("%}", endTag);
                std::string inside = s.substr(endTag + 2, close2 - endTag - 2);
                inside.erase(std::remove_if(inside.begin(), inside.end(),
                                            [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '-' || c == '+'; }),
                             inside.end());
                if (inside == "endraw") {
                    endClose = close2;
                    break;
                }
                search = endTag + 2;
            }
            if (endTag == std::string::npos)
                fail(line, "'raw' without 'endraw'");
            std::string raw = s.substr(pos, endTag - pos);
            if (trimNextNewline && !raw.empty() && raw[0] == '\n')
                raw.erase(0, 1);
            if (s[endTag + 2] == '-')
                rstripAll(raw);
            text += raw;
            stripNextLeading = s[endClose - 1] == '-';
            trimNextNewline = !stripNextLeading;
            pos = endClose + 2;
            continue;
        }
        pushText();
        chunks.push_back({type == '{' ? Chunk::Kind::Output : Chunk::Kind::Statement, content, line});
    }
    pushText();
    return chunks;
}

// ---- Tokens of an expression ---------------------------------------------------------------

struct Token
{
    enum class Kind { Name, Int, Float, String, Op, End } kind;
    std::string text;
    Value value;
};

std::vector<Token> tokenize(const std::string &s, int line)
{
    std::vector<Token> tokens;
    static const std::vector<std::string> ops = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*",
                                                 "/", "%", "~", "<", ">", "(", ")", "[", "]", "{",
                                                 "}", ",", ".", ":", "|", "="};
    for (size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            tokens.push_back({Token::Kind::Name, s.substr(i, j - i), {}});
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            bool isFloat = false;
            if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
                isFloat = true;
                ++j;
                while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                    ++j;
            }
            if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
                size_t k = j + 1;
                if (k < s.size() && (s[k] == '+' || s[k] == '-'))
                    ++k;
                if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
                    isFloat = true;
                    j = k;
                    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
                        ++j;
                }
            }
            std::string digits = s.substr(i, j - i);
            digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
            if (isFloat)
                tokens.push_back({Token::Kind::Float, digits, Value(std::stod(digits))});
            else
                tokens.push_back({Token::Kind::Int, digits, Value(int64_t(std::stoll(digits)))});
            i = j;
        } else if (c == '\'' || c == '"') {
            std::string value;
            size_t j = i + 1;
            for (; j < s.size() && s[j] != c; ++j) {
                if (s[j] != '\\' || j + 1 >= s.size()) {
                    value += s[j];
                    continue;
                }
                const char e = s[++j];
                switch (e) {
                case 'n': value += '\n'; break;
                case 't': value += '\t'; break;
                case 'r': value += '\r'; break;
                case '\\': value += '\\'; break;
                case '\'': value += '\''; break;
                case '"': value += '"'; break;
                case '\n': break;
                default: value += '\\'; value += e;
                }
            }
            if (j >= s.size())
                fail(line, "unterminated string literal");
            tokens.push_back({Token::Kind::String, value, Value(value)});
            i = j + 1;
        } else {
            bool matched = false;
            for (const auto &op : ops) {
                if (s.compare(i, op.size(), op) == 0) {
                    tokens.push_back({Token::Kind::Op, op, {}});
                    i += op.size();
                    matched = true;
                    break;
                }
            }
            if (!matched)
                fail(line, std::string("unexpected character '") + c + "'");
        }
    }
    tokens.push_back({Token::Kind::End, "", {}});
    return tokens;
}

// ---- Expressions ---------------------------------------------------------------------------

class ExprParser
{
public:
    ExprParser(std::vector<Token> tokens, int line) : m_tokens(std::move(tokens)), m_line(line) {}

    ExprPtr expression() { return ternary(); }
    bool atEnd() const { return peek().kind == Token::Kind::End; }
    bool isName(const std::string &name, size_t ahead = 0) const
    {
        const auto &t = peek(ahead);
        return t.kind == Token::Kind::Name && t.text == name;
    }
    bool isOp(const std::string &op, size_t ahead = 0) const
    {
        const auto &t = peek(ahead);
        return t.kind == Token::Kind::Op && t.text == op;
    }
    std::string name()
    {
        if (peek().kind != Token::Kind::Name)
            fail(m_line, "expected a name, found '" + peek().text + "'");
        return m_tokens[m_pos++].text;
    }
    void expectOp(const std::string &op)
    {
        if (!isOp(op))
            fail(m_line, "expected '" + op + "', found '" + peek().text + "'");
        ++m_pos;
    }
    void expectName(const std::string &word)
    {
        if (!isName(word))
            fail(m_line, "expected '" + word + "', found '" + peek().text + "'");
        ++m_pos;
    }
    void expectEnd()
    {
        if (!atEnd())
            fail(m_line, "unexpected '" + peek().text + "'");
    }
    bool acceptOp(const std::string &op)
    {
        if (!isOp(op))
            return false;
        ++m_pos;
        return true;
    }
    bool acceptName(const std::string &word)
    {
        if (!isName(word))
            return false;
        ++m_pos;
        return true;
    }
    // "a" or "a, b" (for targets).
    std::vector<std::string> targets()
    {
        std::vector<std::string> names{name()};
        while (acceptOp(","))
            names.push_back(name());
        return names;
    }
    ExprPtr orExpression() { return logicalOr(); }

private:
    const Token &peek(size_t ahead = 0) const
    {
        return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
    }
    ExprPtr make(Expr::Kind kind)
    {
        auto e = std::make_unique<Expr>();
        e->kind = kind;
        e->line = m_line;
        return e;
    }
    ExprPtr binary(std::string op, ExprPtr a, ExprPtr b)
    {
        auto e = make(Expr::Kind::Binary);
        e->name = std::move(op);
        e->children.push_back(std::move(a));
        e->children.push_back(std::move(b));
        return e;
    }

    ExprPtr ternary()
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
    ExprPtr logicalOr()
    {
        auto left = logicalAnd();
        while (acceptName("or"))
            left = binary("or", std::move(left), logicalAnd());
        return left;
    }
    ExprPtr logicalAnd()
    {
        auto left = logicalNot();
        while (acceptName("and"))
            left = binary("and", std::move(left), logicalNot());
        return left;
    }
    ExprPtr logicalNot()
    {
        if (acceptName("not")) {
            auto e = make(Expr::Kind::Not);
            e->children.push_back(logicalNot());
            return e;
        }
        return compare();
    }
    ExprPtr compare()
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
    ExprPtr math1()
    {
        auto left = concat();
        while (isOp("+") || isOp("-")) {
            const auto op = m_tokens[m_pos++].text;
            left = binary(op, std::move(left), concat());
        }
        return left;
    }
    ExprPtr concat()
    {
        auto left = math2();
        while (acceptOp("~"))
            left = binary("~", std::move(left), math2());
        return left;
    }
    ExprPtr math2()
    {
        auto left = power();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            const auto op = m_tokens[m_pos++].text;
            left = binary(op, std::move(left), power());
        }
        return left;
    }
    ExprPtr power()
    {
        auto left = unary();
        while (acceptOp("**"))
            left = binary("**", std::move(left), unary());
        return left;
    }
    ExprPtr unary()
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
    ExprPtr primary()
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
    void callArguments(Expr &call)
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
    ExprPtr postfix(ExprPtr e)
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
    ExprPtr filters(ExprPtr e)
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

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    int m_line;
};

// ---- Statements ----------------------------------------------------------------------------

class StmtParser
{
public:
    explicit StmtParser(std::vector<Chunk> chunks) : m_chunks(std::move(chunks)) {}

    Body parseAll()
    {
        auto body = parseBody({});
        if (m_pos < m_chunks.size())
            fail(m_chunks[m_pos].line, "unexpected '" + keywordOf(m_chunks[m_pos]) + "'");
        return body;
    }

private:
    static std::string keywordOf(const Chunk &c)
    {
        const auto start = c.content.find_first_not_of(" \t\n\r");
        if (start == std::string::npos)
            return "";
        size_t end = start;
        while (end < c.content.size()
               && (std::isalnum(static_cast<unsigned char>(c.content[end])) || c.content[end] == '_'))
            ++end;
        return c.content.substr(start, end - start);
    }

    // Parses until a statement whose keyword is in `stops` (left unconsumed) or the end (an
    // error naming the block opened on `openLine`).
    Body parseBody(const std::set<std::string> &stops, int openLine = 0, const std::string &opener = {})
    {
        Body body;
        while (m_pos < m_chunks.size()) {
            const auto &chunk = m_chunks[m_pos];
            if (chunk.kind == Chunk::Kind::Text) {
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Text;
                s->text = chunk.content;
                body.push_back(std::move(s));
                ++m_pos;
                continue;
            }
            if (chunk.kind == Chunk::Kind::Output) {
                ExprParser p(tokenize(chunk.content, chunk.line), chunk.line);
                auto s = std::make_unique<Stmt>();
                s->kind = Stmt::Kind::Output;
                s->line = chunk.line;
                s->exprs.push_back(p.expression());
                p.expectEnd();
                body.push_back(std::move(s));
                ++m_pos;
                continue;
            }
            const auto keyword = keywordOf(chunk);
            if (stops.count(keyword))
                return body;
            body.push_back(statement(keyword));
        }
        if (!stops.empty())
            fail(openLine, "'" + opener + "' has no '" + *std::find_if(stops.begin(), stops.end(), [](const auto &s) {
                     return s.rfind("end", 0) == 0;
                 }) + "'");
        return body;
    }

    std::unique_ptr<Stmt> statement(const std::string &keyword)
    {
        const auto &chunk = m_chunks[m_pos++];
        ExprParser p(tokenize(chunk.content, chunk.line), chunk.line);
        p.expectName(keyword);
        auto s = std::make_unique<Stmt>();
        s->line = chunk.line;
        if (keyword == "if") {
            s->kind = Stmt::Kind::If;
            s->exprs.push_back(p.expression());
            p.expectEnd();
            for (;;) {
                s->bodies.push_back(parseBody({"elif", "else", "endif"}, chunk.line, "if"));
                const auto &next = m_chunks[m_pos++];
                const auto word = keywordOf(next);
                ExprParser q(tokenize(next.content, next.line), next.line);
                q.expectName(word);
                if (word == "elif") {
                    s->exprs.push_back(q.expression());
                    q.expectEnd();
                    continue;
                }
                q.expectEnd();
                if (word == "else") {
                    s->bodies.push_back(parseBody({"endif"}, chunk.line, "if"));
                    ++m_pos;
                }
                break;
            }
        } else if (keyword == "for") {
            s->kind = Stmt::Kind::For;
            s->names = p.targets();
            p.expectName("in");
            s->exprs.push_back(p.orExpression());
            s->exprs.push_back(p.acceptName("if") ? p.expression() : nullptr);
            if (p.acceptName("recursive"))
                fail(chunk.line, "unsupported construct 'recursive' loops");
            p.expectEnd();
            s->bodies.push_back(parseBody({"else", "endfor"}, chunk.line, "for"));
            if (keywordOf(m_chunks[m_pos++]) == "else") {
                s->bodies.push_back(parseBody({"endfor"}, chunk.line, "for"));
                ++m_pos;
            }
        } else if (keyword == "set") {
            s->names.push_back(p.name());
            if (p.acceptOp("."))
                s->names.push_back(p.name());
            if (p.acceptOp("=")) {
                s->kind = Stmt::Kind::Set;
                s->exprs.push_back(p.expression());
                p.expectEnd();
            } else {
                p.expectEnd();
                s->kind = Stmt::Kind::SetBlock;
                s->bodies.push_back(parseBody({"endset"}, chunk.line, "set"));
                ++m_pos;
            }
        } else if (keyword == "macro") {
            s->kind = Stmt::Kind::Macro;
            s->names.push_back(p.name());
            p.expectOp("(");
            while (!p.isOp(")")) {
                s->names.push_back(p.name());
                s->exprs.push_back(p.acceptOp("=") ? p.expression() : nullptr);
                if (!p.acceptOp(","))
                    break;
            }
            p.expectOp(")");
            p.expectEnd();
            s->bodies.push_back(parseBody({"endmacro"}, chunk.line, "macro"));
            ++m_pos;
        } else if (keyword == "break" || keyword == "continue") {
            s->kind = keyword == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
            p.expectEnd();
        } else if (keyword == "generation") {
            // transformers' AssistantTracker block: renders its body.
            s->kind = Stmt::Kind::Block;
            p.expectEnd();
            s->bodies.push_back(parseBody({"endgeneration"}, chunk.line, "generation"));
            ++m_pos;
        } else {
            fail(chunk.line, "unsupported tag '" + keyword + "'");
        }
        return s;
    }

    std::vector<Chunk> m_chunks;
    size_t m_pos = 0;
};

} // namespace

Template::Template(const std::string &source) : m_body(StmtParser(splitSource(source)).parseAll()) {}
Template::~Template() = default;
Template::Template(Template &&) noexcept = default;

} // namespace slim::tok::jinja
