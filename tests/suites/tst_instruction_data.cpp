// Instruction data in the shapes people fine-tune on (tests/data/suites/instruct: Alpaca in
// JSONL and CSV, ShareGPT, OpenAI messages as a JSON array, completion, text) and its
// formatting: a chat template turn by turn (answers carry the loss), Stanford Alpaca's template,
// plain prompt + completion; refusals name file, line and field.
#include "data/data_locator.h"
#include "suites/instruction_data.h"
#include "tokenizer/builtin_tokenizer.h"

#include <QTemporaryDir>
#include "suite_test_support.h"

#include <QtTest>

#include <fstream>

using namespace slim;
using namespace slim::suites;
using namespace slim::suites::test;

namespace {

const std::string kDir = std::string(SLIM_TEST_DATA_DIR) + "/suites/instruct/";

// The built-in byte tokenizer with a ChatML template.
tok::Tokenizer chatmlTokenizer()
{
    auto config = nlohmann::json::parse(tok::builtinTokenizerConfigJson());
    config["chat_template"]
        = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    return tok::Tokenizer::fromJson(tok::builtinTokenizerJson(), config.dump());
}

std::vector<std::pair<std::string, bool>> pairs(const FormattedExample &example)
{
    std::vector<std::pair<std::string, bool>> out;
    for (const auto &s : example)
        out.emplace_back(s.text, s.trained);
    return out;
}

} // namespace

class TestInstructionData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shapesAreRecognised()
    {
        const std::vector<std::pair<std::string, InstructionShape>> files {
            {"alpaca.jsonl", InstructionShape::Alpaca},
            {"alpaca.csv", InstructionShape::Alpaca},
            {"sharegpt.jsonl", InstructionShape::ShareGpt},
            {"messages.json", InstructionShape::Messages},
            {"completion.jsonl", InstructionShape::Completion},
            {"text.jsonl", InstructionShape::Text}};
        for (const auto &[file, shape] : files) {
            const auto data = readInstructionData(kDir + file);
            QCOMPARE(int(data.shape), int(shape));
            QVERIFY(!data.conversations.empty());
        }
        const auto csv = readInstructionData(kDir + "alpaca.csv");
        const auto jsonl = readInstructionData(kDir + "alpaca.jsonl");
        QCOMPARE(csv.conversations[1].alpaca_input, std::string("The cat sleeps."));
        QCOMPARE(csv.conversations[0].messages[1].content,
                 jsonl.conversations[0].messages[1].content);
        const auto shareGpt = readInstructionData(kDir + "sharegpt.jsonl").conversations[0];
        QCOMPARE(shareGpt.messages.size(), size_t(5));
        QCOMPARE(shareGpt.messages[0].role, std::string("system"));
        QCOMPARE(shareGpt.messages[4].role, std::string("assistant"));
    }

    void chatTemplateTurnByTurn()
    {
        const auto tokenizer = chatmlTokenizer();
        const auto c = readInstructionData(kDir + "sharegpt.jsonl").conversations[0];
        const auto formatted = formatConversation(c, PromptFormat::ChatTemplate, &tokenizer);
        const std::vector<std::pair<std::string, bool>> expected {
            {"<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
             "<|im_start|>assistant\n",
             false},
            {"4<|im_end|>\n", true},
            {"<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n", false},
            {"6<|im_end|>\n", true}};
        QCOMPARE(pairs(formatted), expected);
        // All tokens: the whole rendering, trained.
        const auto all = formatConversation(c, PromptFormat::ChatTemplate, &tokenizer, false);
        QCOMPARE(all.size(), size_t(1));
        QVERIFY(all[0].trained);
        std::string joined;
        for (const auto &s : formatted)
            joined += s.text;
        QCOMPARE(all[0].text, joined);
        // Alpaca records in a chat: the input follows the instruction.
        const auto alpaca = readInstructionData(kDir + "alpaca.jsonl").conversations[1];
        QCOMPARE(formatConversation(alpaca, PromptFormat::ChatTemplate, &tokenizer)[0].text,
                 std::string("<|im_start|>user\nTranslate the sentence into French.\n\nThe cat "
                             "sleeps.<|im_end|>\n<|im_start|>assistant\n"));
    }

    void alpacaAndPlainTemplates()
    {
        const auto data = readInstructionData(kDir + "alpaca.jsonl");
        QCOMPARE(
            pairs(formatConversation(data.conversations[0], PromptFormat::Alpaca, nullptr)),
            (std::vector<std::pair<std::string, bool>> {
                {"Below is an instruction that describes a task. Write a response that "
                 "appropriately completes the request.\n\n### Instruction:\nGive three tips "
                 "for staying healthy.\n\n### Response:",
                 false},
                {"1. Eat a balanced diet.\n2. Exercise regularly.\n3. Get enough sleep.", true}}));
        QCOMPARE(formatConversation(data.conversations[1], PromptFormat::Alpaca, nullptr)[0].text,
                 std::string("Below is an instruction that describes a task, paired with an "
                             "input that provides further context. Write a response that "
                             "appropriately completes the request.\n\n### Instruction:\n"
                             "Translate the sentence into French.\n\n### Input:\nThe cat "
                             "sleeps.\n\n### Response:"));
        const auto completion = readInstructionData(kDir + "completion.jsonl").conversations[0];
        QCOMPARE(pairs(formatConversation(completion, PromptFormat::Plain, nullptr)),
                 (std::vector<std::pair<std::string, bool>> {{"The capital of France is", false},
                                                             {" Paris.", true}}));
        const auto text = readInstructionData(kDir + "text.jsonl").conversations[0];
        QCOMPARE(pairs(formatConversation(text, PromptFormat::ChatTemplate, nullptr)),
                 (std::vector<std::pair<std::string, bool>> {
                     {"It was a bright cold day in April.", true}}));
        QCOMPARE(promptFormatFromName("alpaca"), std::optional(PromptFormat::Alpaca));
        QVERIFY(!promptFormatFromName("vicuna"));
    }

    void badInputIsNamed()
    {
        QTemporaryDir dir;
        const auto write = [&](const std::string &name, const std::string &text) {
            const auto path = dir.path().toStdString() + "/" + name;
            std::ofstream(path) << text;
            return path;
        };
        auto error = errorOf([&] {
            readInstructionData(write("odd.jsonl",
                                      R"({"query": "q", "reply": "a"})"
                                      "\n"));
        });
        QVERIFY2(error.contains("odd.jsonl:1: a record of unknown shape (fields: query, reply)")
                     && error.contains("sharegpt (conversations"),
                 qPrintable(error));
        error = errorOf([&] {
            readInstructionData(write("mixed.jsonl",
                                      R"({"text": "a"})"
                                      "\n"
                                      R"({"prompt": "p", "completion": "c"})"
                                      "\n"));
        });
        QVERIFY2(error.contains("mixed.jsonl:2: a completion record in a text file"),
                 qPrintable(error));
        error = errorOf([&] {
            readInstructionData(write(
                "who.jsonl",
                R"({"conversations": [{"from": "human", "value": "hi"}, {"from": "robot", "value": "x"}]})"
                "\n"));
        });
        QVERIFY2(
            error.contains("who.jsonl:1: field 'conversations' item 1: unknown speaker 'robot'"),
            qPrintable(error));
        error = errorOf([&] {
            readInstructionData(write("role.jsonl",
                                      R"({"messages": [{"role": "tool", "content": "x"}]})"
                                      "\n"));
        });
        QVERIFY2(error.contains("role 'tool' is not one of system, user, assistant"),
                 qPrintable(error));
        error = errorOf([&] {
            readInstructionData(write("bad.jsonl",
                                      R"({"instruction": "i", "output": 3})"
                                      "\n"));
        });
        QVERIFY2(error.contains("bad.jsonl:1: field 'output' must be a string"), qPrintable(error));
        const auto shareGpt = readInstructionData(kDir + "sharegpt.jsonl").conversations[0];
        error = errorOf([&] { formatConversation(shareGpt, PromptFormat::Alpaca, nullptr); });
        QVERIFY2(error.contains("sharegpt.jsonl:1: the alpaca template takes one instruction"),
                 qPrintable(error));
        error = errorOf([&] { formatConversation(shareGpt, PromptFormat::Plain, nullptr); });
        QVERIFY2(error.contains("the plain format takes prompt + completion"), qPrintable(error));
    }
};

QTEST_APPLESS_MAIN(TestInstructionData)
#include "tst_instruction_data.moc"
