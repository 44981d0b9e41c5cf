#pragma once
// The fact sentences of the pretraining corpus and the probe prompts of the general suite.
// The probes are prefixes of the first template of each family, so the general tasks test
// facts the base model saw in pretraining (in this and nine other phrasings).

#include <string>
#include <vector>

namespace slim::data {

// Templates use the placeholders {country}, {capital}, {continent} and {state}.
const std::vector<std::string> &countryCapitalTemplates(); // both directions, 10 phrasings
const std::vector<std::string> &countryContinentTemplates(); // 6 phrasings
const std::vector<std::string> &countryCapitalContinentTemplates(); // 2 phrasings, all three
const std::vector<std::string> &stateCapitalTemplates(); // 4 phrasings, "US state of ..."

struct FactFields
{
    std::string country;
    std::string capital;
    std::string continent;
    std::string state;
};

// Replaces every placeholder; throws std::logic_error on an unknown one.
std::string fillTemplate(const std::string &pattern, const FactFields &fields);

// "The capital of France is" (choices are the capitals, target delimiter " ").
std::string capitalProbeContext(const std::string &country);
inline constexpr const char *kCapitalProbeTemplate = "The capital of {country} is -> {capital}";
// "France is in" (choices are the continents).
std::string continentProbeContext(const std::string &country);
inline constexpr const char *kContinentProbeTemplate = "{country} is in -> {continent}";

} // namespace slim::data
