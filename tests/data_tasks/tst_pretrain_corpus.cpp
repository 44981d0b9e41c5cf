// The pretraining stream on the real data: determinism, row shape, mixing ratio, that the
// general probes' facts are in it, and that no held-out or downstream test text is.

#include "data/fact_sentences.h"
#include "data/pretrain_corpus.h"
#include "data/sources.h"
#include "data/task_catalog.h"

#include <QtTest>

#include <map>
#include <memory>

using namespace slim::data;

namespace {

// No character cut at either end (the rows themselves are valid UTF-8 text).
bool isWholeUtf8(const std::string &text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const uint8_t lead = uint8_t(text[i]);
        const std::size_t length = lead < 0x80 ? 1
            : lead >= 0xF0                     ? 4
            : lead >= 0xE0                     ? 3
            : lead >= 0xC0                     ? 2
                                               : 0;
        if (length == 0 || i + length > text.size())
            return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((uint8_t(text[i + k]) & 0xC0) != 0x80)
                return false;
        }
        i += length;
    }
    return true;
}

// True when some sentence of the family states the fact.
bool statedInAnyPhrasing(const std::string &corpus, const std::vector<std::string> &family,
                         const FactFields &fact)
{
    for (const std::string &pattern : family) {
        if (corpus.find(fillTemplate(pattern, fact)) != std::string::npos)
            return true;
    }
    return false;
}

} // namespace

class TestPretrainCorpus : public QObject
{
    Q_OBJECT

private:
    static constexpr std::size_t kRows = 20000; // ~160 steps of 128 rows
    std::unique_ptr<PretrainCorpus> m_corpus;
    std::vector<std::string> m_rows;
    std::string m_joined; // all rows, separated by '\n'

private Q_SLOTS:
    void initTestCase()
    {
        try {
            m_corpus = std::make_unique<PretrainCorpus>(DataLocator::fromEnvironment());
        } catch (const DataError &error) {
            QFAIL(error.what());
        }
        m_rows = m_corpus->rows(0, kRows);
        for (const std::string &row : m_rows)
            m_joined += row + "\n";
    }

    void rowsAreBoundedAndNonEmpty()
    {
        for (const std::string &row : m_rows) {
            QVERIFY(!row.empty());
            QVERIFY(row.size() <= 127);
            QVERIFY2(isWholeUtf8(row), row.c_str());
        }
        std::size_t full = 0;
        for (const std::string &row : m_rows)
            full += row.size() >= 100;
        QVERIFY2(full > kRows * 8 / 10, qPrintable(QString::number(full)));
    }

    void halfTheRowsAreFacts()
    {
        std::size_t facts = 0;
        for (std::size_t i = 0; i < kRows; ++i)
            facts += m_corpus->isFactRow(i);
        QVERIFY2(facts > kRows * 47 / 100 && facts < kRows * 53 / 100,
                 qPrintable(QString::number(facts)));
        QVERIFY(m_corpus->brownTrainDocumentCount() == 490);
    }

    void determinism()
    {
        const PretrainCorpus again(DataLocator::fromEnvironment());
        QCOMPARE(again.rows(0, 2000),
                 std::vector<std::string>(m_rows.begin(), m_rows.begin() + 2000));
        // Random access: a later range without replaying the earlier rows.
        QCOMPARE(again.row(12345), m_rows[12345]);
        QCOMPARE(again.fingerprint(), m_corpus->fingerprint());

        PretrainOptions other;
        other.seed = 2;
        const PretrainCorpus reseeded(DataLocator::fromEnvironment(), other);
        std::size_t same = 0;
        for (std::size_t i = 0; i < 1000; ++i)
            same += reseeded.row(i) == m_rows[i];
        QVERIFY2(same < 10, qPrintable(QString::number(same)));
        QVERIFY(reseeded.fingerprint() != m_corpus->fingerprint());
    }

    void mixingRatioIsConfigurable()
    {
        PretrainOptions textOnly;
        textOnly.factFraction = 0;
        textOnly.sotuWeight = 0; // Brown only
        const PretrainCorpus brown(DataLocator::fromEnvironment(), textOnly);
        for (std::size_t i = 0; i < 500; ++i)
            QVERIFY(!brown.isFactRow(i));
        PretrainOptions factsOnly;
        factsOnly.factFraction = 1;
        const PretrainCorpus facts(DataLocator::fromEnvironment(), factsOnly);
        for (std::size_t i = 0; i < 500; ++i) {
            const std::string row = facts.row(i);
            QVERIFY2(row.back() == '.', row.c_str());
        }
    }

    void generalProbeFactsAreLearnable()
    {
        // Every capitals / continents item is a fact the stream states (in one of its
        // phrasings, the probe's among them) within the first 20000 rows.
        const DataLocator locator = DataLocator::fromEnvironment();
        std::size_t probePhrasing = 0;
        for (const Country &country : loadCountries(locator)) {
            const FactFields fact {country.name, country.capital, country.continent, {}};
            if (!country.capital.empty()) {
                QVERIFY2(statedInAnyPhrasing(m_joined, countryCapitalTemplates(), fact),
                         country.name.c_str());
                probePhrasing += m_joined.find(capitalProbeContext(country.name) + " "
                                               + country.capital + ".")
                    != std::string::npos;
            }
            QVERIFY2(statedInAnyPhrasing(m_joined, countryContinentTemplates(), fact),
                     country.name.c_str());
        }
        QVERIFY2(probePhrasing > 230, qPrintable(QString::number(probePhrasing)));
        // The probes are these facts: each capitals item asks a country's capital.
        std::map<std::string, std::string> capitalOf;
        for (const Country &country : loadCountries(locator))
            capitalOf[capitalProbeContext(country.name)] = country.capital;
        for (const ChoiceItem &item : buildTask("capitals", locator).choiceTest)
            QCOMPARE(item.choices[std::size_t(item.gold)], capitalOf.at(item.context));
        QVERIFY(m_joined.find("The capital of the US state of Texas is Austin.")
                != std::string::npos);
    }

    void noHeldOutBrownText()
    {
        const Task heldOut = buildTask("brown_heldout", DataLocator::fromEnvironment());
        std::string heldOutText;
        for (const std::string &text : heldOut.texts)
            heldOutText += text + "\n";
        std::size_t checked = 0;
        for (std::size_t i = 0; i < kRows; ++i) {
            if (m_corpus->isFactRow(i))
                continue;
            // Any 64-byte piece of a text row would be found if it came from a held-out document.
            const std::string piece = m_rows[i].substr(0, 64);
            if (piece.size() < 64)
                continue;
            ++checked;
            QVERIFY2(heldOutText.find(piece) == std::string::npos, piece.c_str());
        }
        QVERIFY(checked > kRows / 3);
        // And held-out sentences are not in the stream (checks the other direction).
        for (const std::string &text : heldOut.texts) {
            for (std::size_t at = 0; at + 48 < text.size(); at += 2000)
                QVERIFY(m_joined.find(text.substr(at, 48)) == std::string::npos);
        }
    }

    void noDownstreamTestItems()
    {
        const DataLocator locator = DataLocator::fromEnvironment();
        for (const std::string &name : downstreamTaskNames()) {
            const Task task = buildTask(name, locator);
            for (const ChoiceItem &item : task.choiceTest) {
                // The prompt, and for sentiment the review itself, must not occur.
                QVERIFY2(m_joined.find(item.context) == std::string::npos, item.context.c_str());
                if (name == "sentiment") {
                    const std::string review = item.context.substr(8, item.context.size() - 19);
                    QVERIFY2(m_joined.find(review) == std::string::npos, review.c_str());
                }
            }
            for (const GenerationItem &item : task.generationTest)
                QVERIFY2(m_joined.find(item.prompt) == std::string::npos, item.prompt.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestPretrainCorpus)
#include "tst_pretrain_corpus.moc"
