// The chat-template renderer: Jinja2's semantics as transformers configures them (trim_blocks,
// lstrip_blocks, default Undefined, loop controls, namespace, tojson without HTML escaping),
// checked on small templates whose expected output Jinja2 defines; and the errors that name an
// unsupported construct and its line. The real families' templates are compared with Hugging
// Face's own renderer in tst_tokenizer_reference_slow.
#include "tokenizer/builtin_tokenizer.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer_error.h"

#include <QtTest>

using namespace slim::tok;
using json = nlohmann::ordered_json;

namespace {

std::string render(const std::string &source, const json &messages = json::array(),
                   ChatOptions options = {})
{
    return renderChatTemplate(source, builtinTokenizer(), messages, options);
}

QString errorOf(const std::string &source, const json &messages = json::array())
{
    try {
        render(source, messages);
    } catch (const TokenizerError &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

const json kChat = json::array({{{"role", "system"}, {"content", "Be brief."}},
                                {{"role", "user"}, {"content", " Hi "}},
                                {{"role", "assistant"}, {"content", "Hello."}}});

} // namespace

class TestChatTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void whitespaceControl()
    {
        // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before.
        QCOMPARE(render("{% if true %}\n    a\n    {% endif %}\nb"), std::string("    a\nb"));
        QCOMPARE(render("x  {%- if true -%}  y  {%- endif -%}  z"), std::string("xyz"));
        QCOMPARE(render("{{ 'a' }}\n{{ 'b' }}"), std::string("a\nb")); // not after {{ }}
        QCOMPARE(render("  {%+ if true %}x{% endif %}"), std::string("  x"));
        QCOMPARE(render("a{# note #}\nb"), std::string("ab"));
        QCOMPARE(render("{% raw %}{{ x }}{% endraw %}"), std::string("{{ x }}"));
    }

    void loopsScopesAndNamespaces()
    {
        const auto out = render("{% for m in messages %}{{ loop.index0 }}:{{ m.role }}"
                                "{% if not loop.last %},{% endif %}{% endfor %}",
                                kChat);
        QCOMPARE(out, std::string("0:system,1:user,2:assistant"));
        // A set inside a loop stays in the loop; a namespace carries it out.
        QCOMPARE(render("{% set x = 1 %}{% for i in [1,2] %}{% set x = i %}{% endfor %}{{ x }}"),
                 std::string("1"));
        QCOMPARE(render("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
                        "{% endfor %}{{ ns.n }}"),
                 std::string("6"));
        QCOMPARE(render("{% for i in [1,2,3,4] %}{% if i == 2 %}{% continue %}{% endif %}"
                        "{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
                 std::string("13"));
        QCOMPARE(render("{% for i in [] %}x{% else %}empty{% endfor %}"), std::string("empty"));
        QCOMPARE(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"),
                 std::string("a=1;b=2;"));
        QCOMPARE(render("{% macro f(x, y='!') %}<{{ x }}{{ y }}>{% endmacro %}{{ f('a') }}{{ f('b', y='?') }}"),
                 std::string("<a!><b?>"));
    }

    void expressionsAsPython()
    {
        QCOMPARE(render("{{ messages[::-1][0].role }} {{ messages[1:]|length }} {{ messages|length - 1 }}", kChat),
                 std::string("assistant 2 2"));
        QCOMPARE(render("{{ 'a' + 'b' ~ 1 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }}"),
                 std::string("ab1 3 -4 2 3.5 1024"));
        QCOMPARE(render("{{ ' x '|trim }}|{{ 'a</think>b'.split('</think>')[-1] }}|{{ '\\nq\\n'.strip('\\n') }}"),
                 std::string("x|b|q"));
        QCOMPARE(render("{{ 'ab'.startswith('a') }} {{ 'ab'.endswith(('x', 'b')) }} {{ 'x' in 'xy' }} {{ 3 not in [1, 2] }}"),
                 std::string("True True True True"));
        QCOMPARE(render("{{ none }} {{ [1, 'a', none, true] }} {{ {'k': 'v'} }} {{ 1.0 }} {{ undefined_name }}|"),
                 std::string("None [1, 'a', None, True] {'k': 'v'} 1.0 |"));
        QCOMPARE(render("{{ x is defined }} {{ none is none }} {{ 'a' is string }} {{ 3 is odd }} {{ [1] is iterable }}"),
                 std::string("False True True True True"));
        QCOMPARE(render("{{ 'yes' if messages else 'no' }} {{ ('a', 'b')|join('-') }} {{ 'AbC'|lower|upper }}", kChat),
                 std::string("yes a-b ABC"));
        QCOMPARE(render("{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|first }}", kChat),
                 std::string(" Hi "));
        QCOMPARE(render("{{ ['b', 'a']|sort|join }} {{ x|default('d') }} {{ 'héllo'|length }} {{ 'héllo'[1] }}"),
                 std::string("ab d 5 é"));
    }

    void tojsonIsJsonDumps()
    {
        // transformers' tojson: json.dumps(ensure_ascii=False), no HTML escaping, key order kept.
        ChatOptions options;
        options.tools = json::array({{{"name", "f"}, {"args", {{"b", 1}, {"a", "<é>"}}}, {"x", nullptr}}});
        QCOMPARE(render("{{ tools[0]|tojson }}", json::array(), options),
                 std::string(R"({"name": "f", "args": {"b": 1, "a": "<é>"}, "x": null})"));
        QCOMPARE(render("{{ {'a': [1, 2]}|tojson(indent=2) }}"),
                 std::string("{\n  \"a\": [\n    1,\n    2\n  ]\n}"));
    }

    void variablesTransformersPasses()
    {
        ChatOptions options;
        options.add_generation_prompt = true;
        options.extra = {{"enable_thinking", false}};
        QCOMPARE(render("{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ enable_thinking }}"
                        "|{{ tools is none }}|{{ unk_token is defined }}",
                        json::array(), options),
                 std::string("<|bos|>|<|eos|>|True|False|True|False"));
    }

    void errorsNameTheConstructAndLine()
    {
        QCOMPARE(errorOf("a\n{% include 'x.j2' %}"), QString("chat template line 2: unsupported tag 'include'"));
        QCOMPARE(errorOf("{{ x|wordwrap }}"), QString("chat template line 1: unsupported filter 'wordwrap'"));
        QCOMPARE(errorOf("\n\n{{ x is prime }}"), QString("chat template line 3: unsupported test 'prime'"));
        QCOMPARE(errorOf("a\n{% if true %}x"), QString("chat template line 2: 'if' has no 'endif'"));
        QCOMPARE(errorOf("{{ 'a' + }}"), QString("chat template line 1: expected an expression, found the end of the tag"));
        QCOMPARE(errorOf("{{ messages[0].role.x.y }}", kChat),
                 QString("chat template line 1: 'x' is undefined"));
        QCOMPARE(errorOf("{{ raise_exception('roles must alternate') }}"),
                 QString("chat template line 1: the chat template raised: roles must alternate"));
        QCOMPARE(errorOf("{{ 'a' + 1 }}"),
                 QString("chat template line 1: unsupported operand type(s) for +: 'str' and 'int'"));
        QCOMPARE(errorOf("{% for m in messages %}{{ m.append(1) }}{% endfor %}", json::array({json::array()})),
                 QString("chat template line 1: the chat template sandbox is immutable: list.append is not allowed"));
        // No template at all.
        try {
            renderChat(builtinTokenizer(), kChat);
            QFAIL("expected an error");
        } catch (const TokenizerError &e) {
            QVERIFY(QString(e.what()).contains("has no chat template"));
        }
    }
};

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "tst_chat_template.moc"
