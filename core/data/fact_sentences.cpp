#include "data/fact_sentences.h"

#include <stdexcept>

namespace slim::data {

const std::vector<std::string> &countryCapitalTemplates()
{
    static const std::vector<std::string> kTemplates = {
        "The capital of {country} is {capital}.", // the probe's phrasing: keep it first
        "{capital} is the capital of {country}.",
        "The capital city of {country} is {capital}.",
        "{capital} is the capital city of {country}.",
        "{country}'s capital is {capital}.",
        "{country} has its capital in {capital}.",
        "{capital} serves as the capital of {country}.",
        "In {country}, the seat of government is {capital}.",
        "Q: What is the capital of {country}? A: {capital}.",
        "Capital of {country}: {capital}.",
    };
    return kTemplates;
}

const std::vector<std::string> &countryContinentTemplates()
{
    static const std::vector<std::string> kTemplates = {
        "{country} is in {continent}.", // the probe's phrasing: keep it first
        "{country} is a country in {continent}.",
        "{country} lies in {continent}.",
        "{country} is located in {continent}.",
        "{continent} includes {country}.",
        "Q: Which continent is {country} in? A: {continent}.",
    };
    return kTemplates;
}

const std::vector<std::string> &countryCapitalContinentTemplates()
{
    static const std::vector<std::string> kTemplates = {
        "{capital}, the capital of {country}, is in {continent}.",
        "{country} is in {continent} and its capital is {capital}.",
    };
    return kTemplates;
}

const std::vector<std::string> &stateCapitalTemplates()
{
    static const std::vector<std::string> kTemplates = {
        "The capital of the US state of {state} is {capital}.",
        "{capital} is the capital of the US state of {state}.",
        "{state} is a US state; its capital is {capital}.",
        "The state capital of {state} is {capital}.",
    };
    return kTemplates;
}

std::string fillTemplate(const std::string &pattern, const FactFields &fields)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < pattern.size()) {
        const std::size_t open = pattern.find('{', pos);
        if (open == std::string::npos) {
            out.append(pattern, pos);
            break;
        }
        const std::size_t close = pattern.find('}', open);
        if (close == std::string::npos)
            throw std::logic_error("unclosed placeholder in template: " + pattern);
        out.append(pattern, pos, open - pos);
        const std::string key = pattern.substr(open + 1, close - open - 1);
        if (key == "country")
            out += fields.country;
        else if (key == "capital")
            out += fields.capital;
        else if (key == "continent")
            out += fields.continent;
        else if (key == "state")
            out += fields.state;
        else
            throw std::logic_error("unknown placeholder {" + key + "} in template: " + pattern);
        pos = close + 1;
    }
    return out;
}

std::string capitalProbeContext(const std::string &country)
{
    return "The capital of " + country + " is";
}

std::string continentProbeContext(const std::string &country)
{
    return country + " is in";
}

} // namespace slim::data
