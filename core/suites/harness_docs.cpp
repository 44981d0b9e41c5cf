// Each lm-eval task's reading of a record, field by field as its task definition (YAML and
// utils.py) reads it; docs/lm-eval-tasks.md gives the templates and worked examples.
#include "harness_docs.h"

#include "tokenizer/python_str.h"

#include <algorithm>
#include <stdexcept>

namespace slim::suites::detail {

namespace {

std::string joined(const std::vector<std::string> &items)
{
    std::string out;
    for (const auto &item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

// ARC and OpenBookQA keep {"text": [...], "label": [...]} under `choices`.
struct LabelledChoices
{
    std::vector<std::string> text, label;
};

LabelledChoices labelledChoices(const Record &record)
{
    const auto object = objectField(record, "choices");
    const Record inner {record.file, record.line, object, false};
    LabelledChoices out {stringListField(inner, "text"), stringListField(inner, "label")};
    if (out.text.size() != out.label.size())
        recordError(record,
                    "field 'choices' has " + std::to_string(out.text.size()) + " texts but "
                        + std::to_string(out.label.size()) + " labels");
    if (out.text.empty())
        recordError(record, "field 'choices' has no choices");
    return out;
}

int64_t indexOf(const Record &record, const std::vector<std::string> &labels,
                const std::string &key, const std::string &field)
{
    const auto it = std::find(labels.begin(), labels.end(), key);
    if (it == labels.end())
        recordError(record, "field '" + field + "' is '" + key + "', not one of " + joined(labels));
    return int64_t(it - labels.begin());
}

int64_t boundedIndex(const Record &record, const std::string &field, int64_t value, int64_t first,
                     int64_t count)
{
    if (value < first || value >= first + count)
        recordError(record,
                    "field '" + field + "' is " + std::to_string(value) + ", not in ["
                        + std::to_string(first) + ", " + std::to_string(first + count - 1) + "]");
    return value - first;
}

std::vector<std::string> exactlyN(const Record &record, const std::string &field, size_t n)
{
    auto items = stringListField(record, field);
    if (items.size() != n)
        recordError(record,
                    "field '" + field + "' must have " + std::to_string(n) + " items, not "
                        + std::to_string(items.size()));
    return items;
}

HarnessDoc arc(const Record &record)
{
    const auto choices = labelledChoices(record);
    return {"Question: " + stringField(record, "question") + "\nAnswer:",
            choices.text,
            indexOf(record, choices.label, stringField(record, "answerKey"), "answerKey"),
            {},
            {},
            {},
            {}};
}

HarnessDoc boolq(const Record &record)
{
    // aps/super_glue's boolq has an integer `label`; google/boolq a boolean `answer`.
    int64_t gold = 0;
    if (hasField(record, "label"))
        gold = boundedIndex(record, "label", integerField(record, "label"), 0, 2);
    else if (hasField(record, "answer"))
        gold = booleanField(record, "answer") ? 1 : 0;
    else
        recordError(record,
                    "field 'label' (super_glue's boolq: 0 or 1) or 'answer' "
                    "(google/boolq: a boolean) is missing");
    return {stringField(record, "passage") + "\nQuestion: " + stringField(record, "question")
                + "?\nAnswer:",
            {"no", "yes"},
            gold,
            {},
            {},
            {},
            {}};
}

HarnessDoc piqa(const Record &record)
{
    return {"Question: " + stringField(record, "goal") + "\nAnswer:",
            {stringField(record, "sol1"), stringField(record, "sol2")},
            boundedIndex(record, "label", integerField(record, "label"), 0, 2),
            {},
            {},
            {},
            {}};
}

HarnessDoc siqa(const Record &record)
{
    return {"Q: " + stringField(record, "context") + " " + stringField(record, "question") + "\nA:",
            {stringField(record, "answerA"), stringField(record, "answerB"),
             stringField(record, "answerC")},
            boundedIndex(record, "label", integerField(record, "label"), 1, 3),
            {},
            {},
            {},
            {}};
}

// HellaSwag's preprocess: strip, " [title]" -> ". ", bracketed text removed (the regex
// \[.*?\], which does not cross a newline), one pass of "  " -> " ".
std::string hellaswagClean(const std::string &raw)
{
    std::string text = tok::stripPythonSpace(raw);
    std::string titled;
    for (size_t pos = 0;;) {
        const auto found = text.find(" [title]", pos);
        titled += text.substr(pos, found == std::string::npos ? std::string::npos : found - pos);
        if (found == std::string::npos)
            break;
        titled += ". ";
        pos = found + 8;
    }
    std::string unbracketed;
    for (size_t i = 0; i < titled.size(); ++i) {
        if (titled[i] == '[') {
            const auto close = titled.find_first_of("]\n", i + 1);
            if (close != std::string::npos && titled[close] == ']') {
                i = close;
                continue;
            }
        }
        unbracketed += titled[i];
    }
    std::string out;
    for (size_t i = 0; i < unbracketed.size(); ++i) {
        out += unbracketed[i];
        if (unbracketed[i] == ' ' && i + 1 < unbracketed.size() && unbracketed[i + 1] == ' ')
            ++i; // "  " -> " ", non-overlapping, left to right
    }
    return out;
}

HarnessDoc hellaswag(const Record &record)
{
    const auto context
        = stringField(record, "ctx_a") + " " + tok::capitalize(stringField(record, "ctx_b"));
    std::vector<std::string> endings;
    for (const auto &ending : exactlyN(record, "endings", 4))
        endings.push_back(hellaswagClean(ending));
    return {hellaswagClean(stringField(record, "activity_label") + ": " + context),
            endings,
            boundedIndex(record, "label", integerField(record, "label"), 0, 4),
            {},
            {},
            {},
            {}};
}

HarnessDoc winogrande(const Record &record)
{
    const auto &sentence = stringField(record, "sentence");
    const auto blank = sentence.find('_');
    if (blank == std::string::npos)
        recordError(record, "field 'sentence' has no blank '_'");
    return {sentence.substr(0, blank),
            {stringField(record, "option1"), stringField(record, "option2")},
            boundedIndex(record, "answer", integerField(record, "answer"), 1, 2),
            tok::stripPythonSpace(std::string_view(sentence).substr(blank + 1)),
            {},
            {},
            {}};
}

HarnessDoc openbookqa(const Record &record)
{
    const auto choices = labelledChoices(record);
    return {stringField(record, "question_stem"),
            choices.text,
            indexOf(record, choices.label,
                    tok::stripPythonSpace(stringField(record, "answerKey"), true, false),
                    "answerKey"),
            {},
            {},
            {},
            {}};
}

HarnessDoc commonsenseQa(const Record &record)
{
    const auto choices = labelledChoices(record);
    if (choices.text.size() != 5)
        recordError(record,
                    "field 'choices' must have 5 choices, not "
                        + std::to_string(choices.text.size()));
    std::string text = "Question: " + tok::stripPythonSpace(stringField(record, "question"));
    const std::vector<std::string> letters {"A", "B", "C", "D", "E"};
    for (size_t i = 0; i < 5; ++i)
        text += "\n" + letters[i] + ". " + choices.text[i];
    return {text + "\nAnswer:",
            letters,
            indexOf(record, letters, stringField(record, "answerKey"), "answerKey"),
            {},
            {},
            {},
            {}};
}

HarnessDoc mmlu(const Record &record)
{
    const auto choices = exactlyN(record, "choices", 4);
    const std::vector<std::string> letters {"A", "B", "C", "D"};
    std::string text = tok::stripPythonSpace(stringField(record, "question"));
    for (size_t i = 0; i < 4; ++i)
        text += "\n" + letters[i] + ". " + choices[i];
    const auto &subject = stringField(record, "subject");
    if (subject.empty())
        recordError(record, "field 'subject' is empty");
    std::string spaced = subject;
    std::replace(spaced.begin(), spaced.end(), '_', ' ');
    // cais/mmlu's answer is 0-3; some exports write the letter.
    const auto &answer
        = record.fields.contains("answer") ? record.fields.at("answer") : nlohmann::json();
    const bool letter = answer.is_string() && answer.get<std::string>().size() == 1
        && answer.get<std::string>() >= "A" && answer.get<std::string>() <= "D";
    const int64_t gold = letter
        ? indexOf(record, letters, answer.get<std::string>(), "answer")
        : boundedIndex(record, "answer", integerField(record, "answer"), 0, 4);
    return {text + "\nAnswer:",
            letters,
            gold,
            {},
            {},
            subject,
            "The following are multiple choice questions (with answers) about " + spaced + ".\n\n"};
}

// The number after gsm8k's last "####", stripped: gsm8k_cot's target.
std::string finalAnswer(const Record &record, const std::string &answer)
{
    const auto marker = answer.rfind("####");
    if (marker == std::string::npos)
        recordError(record, "field 'answer' has no '####' before its final answer");
    return tok::stripPythonSpace(std::string_view(answer).substr(marker + 4));
}

HarnessDoc gsm8k(const Record &record)
{
    const auto &answer = stringField(record, "answer");
    finalAnswer(record, answer); // a reference without "####" cannot be scored
    return {"Question: " + stringField(record, "question") + "\nAnswer:",
            {},
            -1,
            answer,
            answer,
            {},
            {}};
}

std::string cotText(const std::string &question)
{
    return "Q: " + question + "\nA:";
}

HarnessDoc gsm8kCot(const Record &record)
{
    return {cotText(stringField(record, "question")),
            {},
            -1,
            finalAnswer(record, stringField(record, "answer")),
            {},
            {},
            {}};
}

HarnessDoc gsm8kCotZeroshot(const Record &record)
{
    const auto &answer = stringField(record, "answer");
    finalAnswer(record, answer);
    return {cotText(stringField(record, "question")) + " Let's think step by step.",
            {},
            -1,
            answer,
            {},
            {},
            {}};
}

// Users' own evaluations: {"prompt", "choices", "answer" (index or choice)} or
// {"prompt", "target"}; the continuation is " " + choice (or the generated text).
HarnessDoc customChoice(const Record &record)
{
    auto choices = stringListField(record, "choices");
    if (choices.size() < 2)
        recordError(record, "field 'choices' must have at least 2 choices");
    const auto &answer
        = record.fields.contains("answer") ? record.fields.at("answer") : nlohmann::json();
    const int64_t gold = answer.is_string()
        ? indexOf(record, choices, answer.get<std::string>(), "answer")
        : boundedIndex(record, "answer", integerField(record, "answer"), 0,
                       int64_t(choices.size()));
    return {stringField(record, "prompt"), std::move(choices), gold, {}, {}, {}, {}};
}

HarnessDoc customGeneration(const Record &record)
{
    return {stringField(record, "prompt"), {}, -1, stringField(record, "target"),
            stringField(record, "target"), {}, {}};
}

HarnessDoc custom(const Record &record)
{
    return hasField(record, "choices") ? customChoice(record) : customGeneration(record);
}

// Wei et al.'s eight chain-of-thought exemplars, as lm-eval's gsm8k-cot lists them.
const std::vector<HarnessDoc> &gsm8kCotExemplars()
{
    static const std::vector<std::pair<std::string, std::string>> pairs = {
        {"There are 15 trees in the grove. Grove workers will plant trees in the grove today. "
         "After "
         "they are done, there will be 21 trees. How many trees did the grove workers plant today?",
         "There are 15 trees originally. Then there were 21 trees after some more were planted. So "
         "there must have been 21 - 15 = 6. The answer is 6."},
        {"If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are in the "
         "parking lot?",
         "There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5."},
        {"Leah had 32 chocolates and her sister had 42. If they ate 35, how many pieces do they "
         "have "
         "left in total?",
         "Originally, Leah had 32 chocolates. Her sister had 42. So in total they had 32 + 42 = "
         "74. "
         "After eating 35, they had 74 - 35 = 39. The answer is 39."},
        {"Jason had 20 lollipops. He gave Denny some lollipops. Now Jason has 12 lollipops. How "
         "many "
         "lollipops did Jason give to Denny?",
         "Jason started with 20 lollipops. Then he had 12 after giving some to Denny. So he gave "
         "Denny 20 - 12 = 8. The answer is 8."},
        {"Shawn has five toys. For Christmas, he got two toys each from his mom and dad. How many "
         "toys does he have now?",
         "Shawn started with 5 toys. If he got 2 toys each from his mom and dad, then that is 4 "
         "more "
         "toys. 5 + 4 = 9. The answer is 9."},
        {"There were nine computers in the server room. Five more computers were installed each "
         "day, "
         "from monday to thursday. How many computers are now in the server room?",
         "There were originally 9 computers. For each of 4 days, 5 more computers were added. So 5 "
         "* "
         "4 = 20 computers were added. 9 + 20 is 29. The answer is 29."},
        {"Michael had 58 golf balls. On tuesday, he lost 23 golf balls. On wednesday, he lost 2 "
         "more. How many golf balls did he have at the end of wednesday?",
         "Michael started with 58 golf balls. After losing 23 on tuesday, he had 58 - 23 = 35. "
         "After "
         "losing 2 more, he had 35 - 2 = 33 golf balls. The answer is 33."},
        {"Olivia has $23. She bought five bagels for $3 each. How much money does she have left?",
         "Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. So she "
         "has "
         "23 - 15 dollars left. 23 - 15 is 8. The answer is 8."},
    };
    static const auto docs = [] {
        std::vector<HarnessDoc> out;
        for (const auto &[question, target] : pairs)
            out.push_back({cotText(question), {}, -1, target, target, {}, {}});
        return out;
    }();
    return docs;
}

HarnessTask choiceTask(std::string name, std::string version, std::vector<std::string> metrics,
                       std::string shape)
{
    HarnessTask t;
    t.name = std::move(name);
    t.version = std::move(version);
    t.metrics = std::move(metrics);
    t.shape = std::move(shape);
    return t;
}

HarnessTask generationTask(std::string name, int64_t shots, AnswerFilter filter,
                           std::vector<std::string> until, std::string shape)
{
    HarnessTask t;
    t.name = std::move(name);
    t.version = "3.0";
    t.kind = RequestKind::Generation;
    t.metrics = {"exact_match"};
    t.default_shots = shots;
    t.filter = filter;
    t.until = std::move(until);
    t.shape = std::move(shape);
    return t;
}

std::vector<TaskRule> buildRules()
{
    const std::vector<std::string> accNorm {"acc", "acc_norm"}, acc {"acc"};
    const std::string arcShape = "question, choices {text, label}, answerKey";
    auto winograndeTask = choiceTask("winogrande", "1.0", acc,
                                     "sentence (with '_'), option1, "
                                     "option2, answer ('1' or '2')");
    winograndeTask.kind = RequestKind::Partial;
    auto customTask = choiceTask("custom", "1", {},
                                 "prompt, choices, answer (index or choice) | "
                                 "prompt, target");
    const auto S = ShotSampler::Random;
    const auto X = ShotSampler::RandomExcludingDoc;
    return {
        {choiceTask("arc_easy", "1.0", accNorm, arcShape), S, arc, nullptr},
        {choiceTask("arc_challenge", "1.0", accNorm, arcShape), S, arc, nullptr},
        {choiceTask("boolq", "2.0", acc, "passage, question, label (0/1) or answer (boolean)"), X,
         boolq, nullptr},
        {choiceTask("piqa", "1.0", accNorm, "goal, sol1, sol2, label (0/1)"), X, piqa, nullptr},
        {choiceTask("siqa", "0.0", acc,
                    "context, question, answerA, answerB, answerC, label "
                    "('1'-'3')"),
         X, siqa, nullptr},
        {choiceTask("hellaswag", "1.0", accNorm,
                    "activity_label, ctx_a, ctx_b, endings (4), "
                    "label ('0'-'3')"),
         X, hellaswag, nullptr},
        {winograndeTask, X, winogrande, nullptr},
        {choiceTask("openbookqa", "1.0", accNorm,
                    "question_stem, choices {text, label}, "
                    "answerKey"),
         S, openbookqa, nullptr},
        {choiceTask("commonsense_qa", "Yaml", acc,
                    "question, choices {label, text} (5), "
                    "answerKey"),
         X, commonsenseQa, nullptr},
        {choiceTask("mmlu", "1.0", acc, "question, subject, choices (4), answer (0-3)"),
         ShotSampler::FirstN, mmlu, nullptr},
        {generationTask("gsm8k", 5, AnswerFilter::Gsm8k, {"Question:", "</s>", "<|im_end|>"},
                        "question, answer (ending in '#### N')"),
         S, gsm8k, nullptr},
        {generationTask("gsm8k_cot", 8, AnswerFilter::Gsm8kCot, {"Q:", "</s>", "<|im_end|>"},
                        "question, answer (ending in '#### N')"),
         ShotSampler::FixedExemplars, gsm8kCot, &gsm8kCotExemplars()},
        {generationTask("gsm8k_cot_zeroshot", 0, AnswerFilter::Gsm8kCot,
                        {"Q:", "</s>", "<|im_end|>"}, "question, answer (ending in '#### N')"),
         S, gsm8kCotZeroshot, nullptr},
        {customTask, S, custom, nullptr},
    };
}

} // namespace

const std::vector<TaskRule> &taskRules()
{
    static const auto rules = buildRules();
    return rules;
}

const TaskRule &taskRule(const std::string &name)
{
    const std::string wanted = name == "social_iqa" ? "siqa" : name; // lm-eval's name for it
    std::string known;
    for (const auto &rule : taskRules()) {
        if (rule.task.name == wanted)
            return rule;
        known += (known.empty() ? "" : ", ") + rule.task.name;
    }
    throw std::invalid_argument("unknown evaluation task '" + name + "'; known: " + known);
}

} // namespace slim::suites::detail
