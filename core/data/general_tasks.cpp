// The general suite: probes of what the base model learned in pretraining.

#include "data/fact_sentences.h"
#include "data/seeded_random.h"
#include "data/sources.h"
#include "data/task_builders.h"

#include <algorithm>

namespace slim::data {
namespace {

std::vector<std::string> sortedUnique(std::vector<std::string> values)
{
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

// gold plus `count` distinct distractors drawn from a SORTED pool (a hash-ordered pool made
// items differ between processes in the prototype), gold at a random position.
ChoiceItem choiceWithDistractors(std::string context, const std::string &gold,
                                 const std::vector<std::string> &sortedPool, std::size_t count,
                                 SeededRandom &random)
{
    std::vector<std::string> choices;
    while (choices.size() < count) {
        const std::string &candidate = sortedPool[random.below(sortedPool.size())];
        if (candidate != gold
            && std::find(choices.begin(), choices.end(), candidate) == choices.end())
            choices.push_back(candidate);
    }
    const std::size_t goldIndex = random.below(count + 1);
    choices.insert(choices.begin() + std::ptrdiff_t(goldIndex), gold);
    return {std::move(context), std::move(choices), int64_t(goldIndex), {}};
}

} // namespace

Task buildBrownHeldOutTask(const DataLocator &locator)
{
    Task task;
    task.name = "brown_heldout";
    task.version = "1";
    task.kind = TaskKind::Text;
    task.general = true;
    task.prompt_template = "{document}: Brown documents with sorted index % "
        + std::to_string(kBrownHeldOutStride) + " == " + std::to_string(kBrownHeldOutStride / 2)
        + ", tags stripped, detokenised";
    const std::vector<TextDocument> brown = loadBrownCorpus(locator);
    for (std::size_t i = 0; i < brown.size(); ++i) {
        if (isBrownHeldOut(i))
            task.texts.push_back(brown[i].text);
    }
    return task;
}

Task buildCapitalsTask(const DataLocator &locator, const TaskOptions &options)
{
    constexpr std::size_t kDistractors = 3;
    Task task;
    task.name = "capitals";
    task.version = "1";
    task.kind = TaskKind::Choice;
    task.general = true;
    task.prompt_template = kCapitalProbeTemplate;

    const std::vector<Country> countries = loadCountries(locator);
    std::vector<std::string> capitals;
    for (const Country &country : countries) {
        if (!country.capital.empty())
            capitals.push_back(country.capital);
    }
    capitals = sortedUnique(std::move(capitals));
    if (capitals.size() <= kDistractors)
        throw DataError("capitals task needs more than 4 distinct capitals");

    SeededRandom random(deriveSeed(options.seed, "capitals"));
    for (const Country &country : countries) {
        if (country.capital.empty())
            continue;
        task.choiceTest.push_back(choiceWithDistractors(
            capitalProbeContext(country.name), country.capital, capitals, kDistractors, random));
    }
    return task;
}

Task buildContinentsTask(const DataLocator &locator, const TaskOptions &options)
{
    Task task;
    task.name = "continents";
    task.version = "1";
    task.kind = TaskKind::Choice;
    task.general = true;
    task.prompt_template = kContinentProbeTemplate;

    const std::vector<Country> countries = loadCountries(locator);
    std::vector<std::string> continents;
    for (const Country &country : countries)
        continents.push_back(country.continent);
    continents = sortedUnique(std::move(continents));
    if (continents.size() < 2)
        throw DataError("continents task needs at least 2 continents");

    // Every item offers all continents in sorted order: the question is "which continent",
    // and a fixed order keeps label-token scoring comparable across items.
    (void)options;
    for (const Country &country : countries) {
        const auto gold = std::find(continents.begin(), continents.end(), country.continent);
        task.choiceTest.push_back(
            {continentProbeContext(country.name), continents, int64_t(gold - continents.begin()), {}});
    }
    return task;
}

} // namespace slim::data
