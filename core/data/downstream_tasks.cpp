// The downstream tasks: what fine-tuning teaches (and what makes the base model forget).

#include "data/seeded_random.h"
#include "data/sources.h"
#include "data/task_builders.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace slim::data {
namespace {

// One list of inputs per class -> balanced, disjoint train and test splits. Test items are
// choices over `labels` (in that order), train answers are " " + label. Test items are drawn
// only from inputs that `testEligible` accepts (all when it is empty).
void fillBalancedTask(Task &task, std::vector<std::vector<std::string>> inputs,
                      const std::vector<std::string> &labels,
                      const std::function<std::string(const std::string &)> &prompt,
                      const TaskOptions &options, SeededRandom &random,
                      const std::function<bool(const std::string &)> &testEligible = {})
{
    const std::size_t classes = labels.size();
    const std::size_t testPerClass = options.testSize / classes;
    const std::size_t trainPerClass = options.trainSize / classes;
    for (std::size_t label = 0; label < classes; ++label) {
        if (inputs[label].size() < testPerClass + trainPerClass) {
            throw DataError(task.name + ": " + std::to_string(testPerClass) + " test + "
                            + std::to_string(trainPerClass) + " train examples per class asked, "
                            + "but only " + std::to_string(inputs[label].size()) + " \""
                            + labels[label] + "\" inputs exist");
        }
        random.shuffle(inputs[label]);
        if (!testEligible)
            continue;
        const auto firstIneligible
            = std::stable_partition(inputs[label].begin(), inputs[label].end(), testEligible);
        if (std::size_t(firstIneligible - inputs[label].begin()) < testPerClass) {
            throw DataError(task.name + ": " + std::to_string(testPerClass)
                            + " test items per class asked, but only "
                            + std::to_string(firstIneligible - inputs[label].begin()) + " \""
                            + labels[label] + "\" inputs qualify");
        }
    }
    for (std::size_t label = 0; label < classes; ++label) {
        for (std::size_t i = 0; i < testPerClass; ++i)
            task.choiceTest.push_back({prompt(inputs[label][i]), labels, int64_t(label), {}});
        for (std::size_t i = testPerClass; i < testPerClass + trainPerClass; ++i)
            task.train.push_back({prompt(inputs[label][i]), " " + labels[label]});
    }
    random.shuffle(task.choiceTest);
    random.shuffle(task.train);
}

// The longest prefix of `text` within maxBytes that ends at a word boundary (or, for one very
// long word, at a character boundary).
std::string cutAtWord(const std::string &text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    std::size_t cut = text.rfind(' ', maxBytes);
    if (cut == std::string::npos || cut == 0) {
        cut = maxBytes;
        while (cut > 0 && (uint8_t(text[cut]) & 0xC0) == 0x80)
            --cut;
    }
    while (cut > 0 && text[cut - 1] == ' ')
        --cut;
    return text.substr(0, cut);
}

// Inputs keyed by text; an input seen with both labels is dropped (it cannot be scored).
std::vector<std::string> withoutConflicts(const std::map<std::string, std::set<int>> &labelsOf,
                                          int label)
{
    std::vector<std::string> out;
    for (const auto &[input, labels] : labelsOf) {
        if (labels.size() == 1 && *labels.begin() == label)
            out.push_back(input);
    }
    return out; // sorted: std::map order
}

} // namespace

Task buildNameGenderTask(const DataLocator &locator, const TaskOptions &options)
{
    Task task;
    task.name = "name_gender";
    task.version = "2"; // 1: "Name: {name}. Gender:", the name's ending far from the answer
    task.kind = TaskKind::Choice;
    task.prompt_template = "Gender of {name}: -> {female|male}";

    std::map<std::string, std::set<int>> labelsOf;
    for (int label = 0; label < 2; ++label) {
        for (const std::string &name : loadFirstNames(locator, /*female=*/label == 0))
            labelsOf[name].insert(label);
    }
    auto prompt = [](const std::string &name) { return "Gender of " + name + ":"; };
    std::vector<std::vector<std::string>> inputs(2);
    for (int label = 0; label < 2; ++label) {
        for (std::string &name : withoutConflicts(labelsOf, label)) {
            if (prompt(name).size() + std::string(" female").size() <= options.maxExampleBytes)
                inputs[label].push_back(std::move(name));
        }
    }
    SeededRandom random(deriveSeed(options.seed, "name_gender"));
    fillBalancedTask(task, std::move(inputs), {"female", "male"}, prompt, options, random);
    return task;
}

Task buildWordClassTask(const DataLocator &locator, const TaskOptions &options)
{
    Task task;
    task.name = "word_class";
    task.version = "1";
    task.kind = TaskKind::Choice;
    task.prompt_template = "Word class of {word}: -> {noun|verb|adjective|adverb}";

    auto prompt = [](const std::string &word) { return "Word class of " + word + ":"; };
    const auto &names = wordClassNames();
    std::vector<std::vector<std::string>> inputs(names.size());
    for (ClassifiedWord &word : loadBrownWordClasses(locator)) {
        if (prompt(word.word).size() + 1 + names[size_t(word.wordClass)].size()
            <= options.maxExampleBytes)
            inputs[size_t(word.wordClass)].push_back(std::move(word.word));
    }
    SeededRandom random(deriveSeed(options.seed, "word_class"));
    fillBalancedTask(task, std::move(inputs), {names.begin(), names.end()}, prompt, options,
                     random);
    return task;
}

Task buildSentimentTask(const DataLocator &locator, const TaskOptions &options)
{
    Task task;
    task.name = "sentiment";
    task.version = "1";
    task.kind = TaskKind::Choice;
    task.prompt_template = "Review: {sentence} Sentiment: -> {negative|positive}";

    const std::string prefix = "Review: ";
    const std::string suffix = " Sentiment:";
    const std::size_t overhead = prefix.size() + suffix.size() + std::string(" negative").size();
    if (options.maxExampleBytes < overhead + 16)
        throw DataError("sentiment: maxExampleBytes " + std::to_string(options.maxExampleBytes)
                        + " leaves no room for the review");
    const std::size_t budget = options.maxExampleBytes - overhead;

    // Reviews too long for the context are cut at a word boundary for training; test items
    // are whole reviews only, so every test item can be judged from what the model sees.
    std::map<std::string, std::set<int>> labelsOf;
    std::set<std::string> whole;
    for (const LabelledSentence &sentence : loadPolaritySentences(locator)) {
        const std::string shown = cutAtWord(sentence.text, budget);
        labelsOf[shown].insert(sentence.positive ? 1 : 0);
        if (shown == sentence.text)
            whole.insert(shown);
    }
    std::vector<std::vector<std::string>> inputs
        = {withoutConflicts(labelsOf, 0), withoutConflicts(labelsOf, 1)};
    auto prompt = [&](const std::string &text) { return prefix + text + suffix; };
    SeededRandom random(deriveSeed(options.seed, "sentiment"));
    fillBalancedTask(task, std::move(inputs), {"negative", "positive"}, prompt, options, random,
                     [&whole](const std::string &text) { return whole.count(text) > 0; });
    return task;
}

Task buildReversalTask(const TaskOptions &options)
{
    constexpr int kLetters = 4;
    Task task;
    task.name = "reversal";
    task.version = "1";
    task.kind = TaskKind::Generation;
    task.prompt_template = "Reverse: {abcd} -> {dcba}";

    // Distinct random words; palindromes are left out (their answer is a plain copy).
    SeededRandom random(deriveSeed(options.seed, "reversal"));
    const std::size_t wanted = options.testSize + options.trainSize;
    if (wanted > 100000)
        throw DataError("reversal: at most 100000 examples (asked " + std::to_string(wanted) + ")");
    std::set<std::string> seen;
    std::vector<std::string> words;
    while (words.size() < wanted) {
        std::string word(kLetters, 'a');
        for (char &c : word)
            c = char('a' + random.below(26));
        const std::string reversed(word.rbegin(), word.rend());
        if (word != reversed && seen.insert(word).second)
            words.push_back(word);
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string prompt = "Reverse: " + words[i] + " ->";
        const std::string answer = " " + std::string(words[i].rbegin(), words[i].rend());
        if (i < options.testSize)
            task.generationTest.push_back({prompt, answer});
        else
            task.train.push_back({prompt, answer});
    }
    return task;
}

} // namespace slim::data
