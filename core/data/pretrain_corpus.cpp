#include "data/pretrain_corpus.h"

#include "common/sha256.h"
#include "data/fact_sentences.h"
#include "data/seeded_random.h"
#include "data/sources.h"

#include <algorithm>

namespace slim::data {
namespace {

// Documents of one source concatenated; windows never cross a document end.
struct TextPool
{
    std::string text;
    std::vector<std::size_t> documentEnds; // exclusive, ascending

    void add(const std::string &document)
    {
        if (document.empty())
            return;
        text += document;
        documentEnds.push_back(text.size());
    }
};

bool isUtf8Continuation(char c)
{
    return (uint8_t(c) & 0xC0) == 0x80;
}

// A window of at most maxBytes starting at a word boundary, ending on a character boundary.
std::string window(const TextPool &pool, std::size_t maxBytes, SeededRandom &random)
{
    const std::size_t position = random.below(pool.text.size());
    const auto endIt
        = std::upper_bound(pool.documentEnds.begin(), pool.documentEnds.end(), position);
    const std::size_t docEnd = *endIt;
    const std::size_t docBegin = endIt == pool.documentEnds.begin() ? 0 : *(endIt - 1);
    const std::size_t length = docEnd - docBegin;
    std::size_t start = docBegin;
    if (length > maxBytes)
        start += random.below(length - maxBytes + 1);
    if (start > docBegin && pool.text[start - 1] != ' ') {
        const std::size_t space = pool.text.find(' ', start);
        if (space != std::string::npos && space + 1 < docEnd)
            start = space + 1;
    }
    while (start < docEnd && isUtf8Continuation(pool.text[start]))
        ++start;
    std::size_t end = std::min(docEnd, start + maxBytes);
    while (end > start && end < docEnd && isUtf8Continuation(pool.text[end]))
        --end;
    return pool.text.substr(start, end - start);
}

} // namespace

struct PretrainCorpus::Sources
{
    std::vector<Country> countries; // all, sorted by name
    std::vector<Country> countriesWithCapital; // sorted by name
    std::vector<StateCapital> states;
    std::vector<TextPool> pools; // brown, sotu, moby-dick (empty when its weight is 0)
    std::vector<double> weights; // cumulative, normalised
    std::size_t brownTrainDocuments = 0;
};

PretrainCorpus::PretrainCorpus(const DataLocator &locator, PretrainOptions options)
    : m_options(options)
{
    if (options.maxRowBytes < 16)
        throw DataError("pretraining rows need maxRowBytes >= 16");
    if (options.factFraction < 0 || options.factFraction > 1)
        throw DataError("pretraining factFraction must lie in [0, 1]");
    if (options.continentFactShare < 0 || options.stateFactShare < 0
        || options.continentFactShare + options.stateFactShare > 1)
        throw DataError("pretraining fact shares must be >= 0 and sum to at most 1");
    const double weightSum = options.brownWeight + options.sotuWeight + options.mobyDickWeight;
    if (options.brownWeight < 0 || options.sotuWeight < 0 || options.mobyDickWeight < 0
        || (options.factFraction < 1 && weightSum <= 0))
        throw DataError("pretraining text weights must be >= 0 with a positive sum");

    auto sources = std::make_shared<Sources>();
    sources->countries = loadCountries(locator);
    for (const Country &country : sources->countries) {
        if (!country.capital.empty())
            sources->countriesWithCapital.push_back(country);
    }
    if (options.stateFactShare > 0)
        sources->states = loadStateCapitals(locator);

    sources->pools.resize(3);
    if (options.factFraction < 1) {
        if (options.brownWeight > 0) {
            const std::vector<TextDocument> brown = loadBrownCorpus(locator);
            for (std::size_t i = 0; i < brown.size(); ++i) {
                if (!isBrownHeldOut(i)) {
                    sources->pools[0].add(brown[i].text);
                    ++sources->brownTrainDocuments;
                }
            }
        }
        if (options.sotuWeight > 0) {
            for (const TextDocument &speech : loadStateOfTheUnion(locator))
                sources->pools[1].add(speech.text);
        }
        if (options.mobyDickWeight > 0)
            sources->pools[2].add(loadMobyDick(locator).text);
        const double raw[3] = {options.brownWeight, options.sotuWeight, options.mobyDickWeight};
        double cumulative = 0;
        for (double weight : raw) {
            cumulative += weight / weightSum;
            sources->weights.push_back(cumulative);
        }
    }
    m_sources = std::move(sources);
}

bool PretrainCorpus::isFactRow(uint64_t index) const
{
    SeededRandom random(deriveSeed(m_options.seed, index));
    return random.unit() < m_options.factFraction;
}

std::string PretrainCorpus::row(uint64_t index) const
{
    SeededRandom random(deriveSeed(m_options.seed, index));
    const bool fact = random.unit() < m_options.factFraction;
    return fact ? factRow(random.next()) : textRow(random.next());
}

std::vector<std::string> PretrainCorpus::rows(uint64_t first, std::size_t count) const
{
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(row(first + i));
    return out;
}

std::string PretrainCorpus::factRow(uint64_t rowSeed) const
{
    SeededRandom random(rowSeed);
    const Sources &s = *m_sources;
    auto pick = [&random](const auto &items) -> const auto &
    {
        return items[random.below(items.size())];
    };
    std::string row;
    // Draw sentences until one does not fit; a few extra draws let a short one fill the gap.
    for (int misses = 0; misses < 3;) {
        const double kind = random.unit();
        std::string sentence;
        if (kind < m_options.stateFactShare && !s.states.empty()) {
            const StateCapital &state = pick(s.states);
            sentence
                = fillTemplate(pick(stateCapitalTemplates()), {{}, state.capital, {}, state.state});
        } else if (kind < m_options.stateFactShare + m_options.continentFactShare) {
            const Country &country = pick(s.countries);
            const auto &both = countryCapitalContinentTemplates();
            const auto &single = countryContinentTemplates();
            const std::size_t choice = random.below(single.size() + both.size());
            const bool withCapital = choice >= single.size() && !country.capital.empty();
            const std::string &pattern
                = withCapital ? both[choice - single.size()] : single[choice % single.size()];
            sentence
                = fillTemplate(pattern, {country.name, country.capital, country.continent, {}});
        } else {
            const Country &country = pick(s.countriesWithCapital);
            sentence = fillTemplate(pick(countryCapitalTemplates()),
                                    {country.name, country.capital, country.continent, {}});
        }
        const std::size_t needed = sentence.size() + (row.empty() ? 0 : 1);
        if (row.size() + needed > m_options.maxRowBytes) {
            ++misses;
            continue;
        }
        if (!row.empty())
            row.push_back(' ');
        row += sentence;
    }
    return row;
}

std::string PretrainCorpus::textRow(uint64_t rowSeed) const
{
    SeededRandom random(rowSeed);
    const Sources &s = *m_sources;
    const double u = random.unit();
    std::size_t source = 0;
    while (source + 1 < s.weights.size() && u >= s.weights[source])
        ++source;
    // Skip sources with zero weight that the rounding of the cumulative sum might still hit.
    while (s.pools[source].text.empty())
        source = (source + 1) % s.pools.size();
    return window(s.pools[source], m_options.maxRowBytes, random);
}

std::size_t PretrainCorpus::brownTrainDocumentCount() const
{
    return m_sources->brownTrainDocuments;
}

std::string PretrainCorpus::fingerprint() const
{
    common::Sha256 hasher;
    const PretrainOptions &o = m_options;
    hasher.update("slim-pretrain-v1 seed=" + std::to_string(o.seed) + " rowBytes="
                  + std::to_string(o.maxRowBytes) + " facts=" + std::to_string(o.factFraction)
                  + " brown=" + std::to_string(o.brownWeight) + " sotu="
                  + std::to_string(o.sotuWeight) + " moby=" + std::to_string(o.mobyDickWeight)
                  + " continents=" + std::to_string(o.continentFactShare)
                  + " states=" + std::to_string(o.stateFactShare) + "\n");
    for (const auto *family : {&countryCapitalTemplates(), &countryContinentTemplates(),
                               &countryCapitalContinentTemplates(), &stateCapitalTemplates()}) {
        for (const std::string &pattern : *family)
            hasher.update(pattern + "\n");
    }
    for (const Country &c : m_sources->countries)
        hasher.update(c.name + "\t" + c.capital + "\t" + c.continent + "\n");
    for (const StateCapital &state : m_sources->states)
        hasher.update(state.state + "\t" + state.capital + "\n");
    for (const TextPool &pool : m_sources->pools) {
        hasher.update(std::to_string(pool.text.size()) + "\n");
        hasher.update(pool.text);
    }
    return hasher.hexDigest();
}

} // namespace slim::data
