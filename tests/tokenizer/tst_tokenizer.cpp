// The tokenizer.json reader on small documents in Hugging Face's format: each component's
// semantics, the built-in byte tokenizer, and every bad input the issue names (refused by file
// and JSON path, never a crash).
#include "tokenizer/builtin_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_error.h"

#include <nlohmann/json.hpp>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace slim::tok;
using json = nlohmann::ordered_json;

namespace {

// A tiny byte-level BPE in GPT-2's layout: the 256 byte characters, a few merges.
json byteLevelTokenizer()
{
    json vocab = json::object();
    // GPT-2's byte-to-character map, as the Python reference writes it.
    std::vector<int> bytes;
    for (int b = '!'; b <= '~'; ++b) bytes.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) bytes.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) bytes.push_back(b);
    std::vector<int> chars = bytes;
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
        if (std::find(bytes.begin(), bytes.end(), b) == bytes.end()) {
            bytes.push_back(b);
            chars.push_back(256 + extra++);
        }
    }
    std::vector<std::string> charOf(256);
    for (size_t i = 0; i < bytes.size(); ++i) {
        std::string s;
        const int c = chars[i];
        if (c < 0x80) s += char(c);
        else { s += char(0xC0 | (c >> 6)); s += char(0x80 | (c & 0x3F)); }
        charOf[size_t(bytes[i])] = s;
    }
    for (int b = 0; b < 256; ++b)
        vocab[charOf[size_t(b)]] = b;
    const std::string G = charOf[' ']; // "Ġ"
    for (const auto &t : {std::string("he"), std::string("ll"), std::string("llo"),
                          std::string("hello"), G + "w", G + "wo", std::string("rl"), G + "wor", G + "world"})
        vocab[t] = int(vocab.size());
    // "r l" ranks after "Ġwo r", so " world" merges to Ġwor + l + d.
    const json merges = json::array({"h e", "l l", "ll o", "he llo", G + " w", G + "w o", G + "wo r",
                                     "r l"});
    return {{"version", "1.0"},
            {"added_tokens", json::array({{{"id", 300}, {"content", "<|end|>"}, {"single_word", false},
                                           {"lstrip", false}, {"rstrip", false},
                                           {"normalized", false}, {"special", true}}})},
            {"normalizer", nullptr},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false},
                               {"trim_offsets", true}, {"use_regex", true}}},
            {"post_processor", {{"type", "TemplateProcessing"},
                                {"single", json::array({{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                                        {{"SpecialToken", {{"id", "<|end|>"}, {"type_id", 0}}}}})},
                                {"special_tokens", {{"<|end|>", {{"id", "<|end|>"}, {"ids", {300}}, {"tokens", {"<|end|>"}}}}}}}},
            {"decoder", {{"type", "ByteLevel"}}},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}}};
}

// A tiny SentencePiece-style BPE (Llama 2's layout): Prepend + Replace normalizer, byte
// fallback, the Replace/ByteFallback/Fuse/Strip decoder.
json sentencePieceTokenizer()
{
    json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = 3 + b;
    }
    int next = 259;
    for (const char *t : {"\xE2\x96\x81", "a", "b", "c", "\xE2\x96\x81" "a", "ab", "\xE2\x96\x81" "ab"})
        vocab[t] = next++;
    return {{"added_tokens", json::array({{{"id", 1}, {"content", "<s>"}, {"special", true}},
                                          {{"id", 2}, {"content", "</s>"}, {"special", true}}})},
            {"normalizer", {{"type", "Sequence"}, {"normalizers", json::array({
                {{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
                {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}})}}},
            {"pre_tokenizer", nullptr},
            {"post_processor", {{"type", "TemplateProcessing"},
                                {"single", json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                                        {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                                {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
            {"decoder", {{"type", "Sequence"}, {"decoders", json::array({
                {{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
                {{"type", "ByteFallback"}}, {{"type", "Fuse"}},
                {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})}}},
            {"model", {{"type", "BPE"}, {"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", true},
                       {"vocab", vocab},
                       {"merges", json::array({json::array({"a", "b"}), json::array({"\xE2\x96\x81", "ab"}),
                                               json::array({"\xE2\x96\x81", "a"})})}}}};
}

Tokenizer make(const json &tokenizer, const json &config = json())
{
    return Tokenizer::fromJson(tokenizer.dump(), config.is_null() ? "" : config.dump());
}

// The message of the TokenizerError `f` throws ("" if none).
template<typename F>
QString errorOf(F &&f)
{
    try {
        f();
    } catch (const TokenizerError &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

using Ids = std::vector<int64_t>;

} // namespace

class TestTokenizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void byteLevelBpeMergesByRank()
    {
        const auto t = make(byteLevelTokenizer());
        const auto hello = *t.tokenId("hello");
        const auto world = *t.tokenId("\xC4\xA0wor"); // "Ġwor" then "l", "d"
        const Ids ids = t.encode("hello world", false);
        QCOMPARE(ids, (Ids{hello, world, int64_t('l'), int64_t('d')}));
        // The post-processor appends <|end|>; written in the text it is one token either way.
        QCOMPARE(t.encode("hello", true), (Ids{hello, 300}));
        QCOMPARE(t.encode("hello<|end|>", false), (Ids{hello, 300}));
        QCOMPARE(t.decode(t.encode("hello world<|end|>", false)), std::string("hello world<|end|>"));
        QCOMPARE(t.decode(t.encode("hello world<|end|>", false), true), std::string("hello world"));
        // Every byte round-trips, including invalid UTF-8 from a cut sequence (U+FFFD).
        const std::string text = "caf\xC3\xA9 \xF0\x9F\x98\x80 \t\n end";
        QCOMPARE(t.decode(t.encode(text, false)), text);
        QCOMPARE(t.decode({int64_t(0xC3)}), std::string("\xEF\xBF\xBD"));
    }

    void sentencePieceStyleBpe()
    {
        const auto t = make(sentencePieceTokenizer());
        const auto abWord = *t.tokenId("\xE2\x96\x81" "ab");
        const auto b = *t.tokenId("b");
        // "▁ab b": the whole text is one word; "x" is not in the vocabulary: byte fallback.
        QCOMPARE(t.encode("ab b", true), (Ids{1, abWord, *t.tokenId("\xE2\x96\x81"), b}));
        QCOMPARE(t.encode("x", false), (Ids{*t.tokenId("\xE2\x96\x81"), 3 + 'x'}));
        QCOMPARE(t.decode(t.encode("ab bx", true), true), std::string("ab bx"));
        // Special tokens in the text split it; the normalizer's prefix goes on each piece.
        QCOMPARE(t.encode("ab</s>ab", false), (Ids{abWord, 2, abWord}));
    }

    void metaspaceLayout()
    {
        // transformers' non-legacy Llama layout (Mistral v0.3): Metaspace pre-tokenizer and
        // decoder, "▁" prepended to the first piece only (not after an added token).
        auto j = sentencePieceTokenizer();
        const json marker = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"},
                             {"prepend_scheme", "first"}, {"split", false}};
        j["normalizer"] = nullptr;
        j["pre_tokenizer"] = marker;
        j["decoder"] = marker;
        const auto t = make(j);
        const auto abWord = *t.tokenId("\xE2\x96\x81" "ab");
        QCOMPARE(t.encode("ab", false), (Ids{abWord}));
        QCOMPARE(t.encode("</s>ab", false), (Ids{2, *t.tokenId("ab")}));
        // The Rust decoder drops every "▁" of the first token, and turns the others to spaces.
        QCOMPARE(t.decode({abWord, abWord}), std::string("ab ab"));
        QCOMPARE(t.decode({*t.tokenId("\xE2\x96\x81"), abWord}), std::string(" ab"));
    }

    void builtinTokenizerIsBytes()
    {
        const auto t = builtinTokenizer();
        QCOMPARE(t.vocabSize(), BuiltinTokens::kVocabSize);
        QCOMPARE(t.encode("A\xC3\xA9", true), (Ids{BuiltinTokens::kBos, 'A', 0xC3, 0xA9}));
        QCOMPARE(t.encode("A", false), (Ids{'A'}));
        QCOMPARE(*t.eosId(), BuiltinTokens::kEos);
        QCOMPARE(t.paddingId(), BuiltinTokens::kPad);
        QCOMPARE(t.decode({BuiltinTokens::kBos, 'h', 'i', BuiltinTokens::kEos}, true), std::string("hi"));
        // Written beside a model, it loads back the same; a folder with only the older
        // slim_tokenizer.json reads as the built-in tokenizer too.
        QTemporaryDir dir;
        writeBuiltinTokenizer(dir.path().toStdString());
        QCOMPARE(Tokenizer::load(dir.path().toStdString()).encode("x y", true),
                 (Ids{BuiltinTokens::kBos, 'x', ' ', 'y'}));
        QTemporaryDir legacy;
        std::ofstream(legacy.filePath("slim_tokenizer.json").toStdString()) << "{}";
        QCOMPARE(Tokenizer::load(legacy.path().toStdString()).vocabSize(), BuiltinTokens::kVocabSize);
        QVERIFY(errorOf([&] { Tokenizer::forModel(dir.path().toStdString(), 100); })
                    .contains("vocab_size 100 cannot hold"));
    }

    void configGivesSpecialTokensAndTemplates()
    {
        const auto t = make(sentencePieceTokenizer(),
                            {{"bos_token", {{"content", "<s>"}, {"lstrip", false}}},
                             {"eos_token", "</s>"},
                             {"chat_template", json::array({{{"name", "default"}, {"template", "x"}},
                                                            {{"name", "tool_use"}, {"template", "y"}}})}});
        QCOMPARE(*t.bosId(), int64_t(1));
        QCOMPARE(*t.eosId(), int64_t(2));
        QVERIFY(!t.padId());
        QCOMPARE(t.paddingId(), int64_t(2)); // no pad token: EOS
        QCOMPARE(t.chatTemplates().size(), size_t(2));
        // LlamaTokenizerFast rebuilds its post-processor from add_bos_token / add_eos_token.
        const auto eos = make(sentencePieceTokenizer(), {{"tokenizer_class", "LlamaTokenizerFast"},
                                                         {"bos_token", "<s>"}, {"eos_token", "</s>"},
                                                         {"add_bos_token", false}, {"add_eos_token", true}});
        QCOMPARE(eos.encode("a", true), (Ids{*eos.tokenId("\xE2\x96\x81" "a"), 2}));
    }

    void addedTokenOptions()
    {
        auto j = byteLevelTokenizer();
        j["added_tokens"].push_back({{"id", 301}, {"content", "<x>"}, {"lstrip", true}, {"rstrip", true},
                                     {"single_word", false}, {"normalized", false}, {"special", false}});
        j["added_tokens"].push_back({{"id", 302}, {"content", "cat"}, {"single_word", true},
                                     {"normalized", false}, {"special", false}});
        const auto t = make(j);
        // lstrip/rstrip take the spaces around; single_word only matches whole words.
        QCOMPARE(t.encode("he  <x>  he", false), (Ids{*t.tokenId("he"), 301, *t.tokenId("he")}));
        QCOMPARE(t.encode("cat", false), (Ids{302}));
        QVERIFY(t.encode("cats", false) != (Ids{302, 's'}));
        QVERIFY(!t.isSpecial(301) && t.isSpecial(300));
    }

    void badInputIsRefusedByName_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("expected");
        QTest::newRow("model type") << "model.type=Unigram" << "model.type: unsupported model type 'Unigram'";
        QTest::newRow("pre-tokenizer") << "pre_tokenizer.type=BertPreTokenizer"
                                       << "pre_tokenizer.type: unsupported pre_tokenizer 'BertPreTokenizer'";
        QTest::newRow("normalizer") << "normalizer.type=Precompiled"
                                    << "normalizer.type: unsupported normalizer 'Precompiled'";
        QTest::newRow("decoder") << "decoder.type=WordPiece" << "decoder.type: unsupported decoder 'WordPiece'";
        QTest::newRow("merge of an unknown token") << "merge=q z" << "model.merges[8]: names 'qz', which is not in model.vocab";
        QTest::newRow("duplicate id") << "duplicate" << "is also the id of";
        QTest::newRow("split behaviour") << "behavior" << "pre_tokenizer.pretokenizers[0].behavior: unsupported split behavior 'Sideways'";
        QTest::newRow("bad regex") << "regex" << "pre_tokenizer.pretokenizers[0].pattern.Regex: the regex does not compile";
        QTest::newRow("not JSON") << "truncated" << "tokenizer.json: not valid JSON";
    }
    void badInputIsRefusedByName()
    {
        QFETCH(QString, change);
        QFETCH(QString, expected);
        auto j = byteLevelTokenizer();
        std::string text;
        if (change == "model.type=Unigram")
            j["model"]["type"] = "Unigram";
        else if (change == "pre_tokenizer.type=BertPreTokenizer")
            j["pre_tokenizer"]["type"] = "BertPreTokenizer";
        else if (change == "normalizer.type=Precompiled")
            j["normalizer"] = {{"type", "Precompiled"}};
        else if (change == "decoder.type=WordPiece")
            j["decoder"]["type"] = "WordPiece";
        else if (change == "merge=q z")
            j["model"]["merges"].push_back("q z"); // "q", "z" exist but "qz" does not
        else if (change == "duplicate")
            j["model"]["vocab"]["dup"] = 5;
        else if (change == "behavior" || change == "regex")
            j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({
                {{"type", "Split"}, {"pattern", {{"Regex", change == "regex" ? "(unclosed" : "x"}}},
                 {"behavior", change == "behavior" ? "Sideways" : "Isolated"}}})}};
        text = change == "truncated" ? j.dump().substr(0, 100) : j.dump();
        const auto message = errorOf([&] { Tokenizer::fromJson(text); });
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.startsWith("tokenizer.json: "), qPrintable(message));
    }

    void badTextAndIdsAreRefused()
    {
        const auto t = make(byteLevelTokenizer());
        QCOMPARE(errorOf([&] { t.encode("ok \xC3\x28", true); }), QString("input text: invalid UTF-8 at byte 3"));
        QCOMPARE(errorOf([&] { t.encode("\xED\xA0\x80", true); }), QString("input text: invalid UTF-8 at byte 0"));
        // Ids outside the vocabulary are dropped in decoding, as Hugging Face's tokenizers do.
        QCOMPARE(t.decode({*t.tokenId("hello"), 5000}), std::string("hello"));
        QTemporaryDir empty;
        QVERIFY(errorOf([&] { Tokenizer::load(empty.path().toStdString()); }).contains("no such file"));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
