// Templates after LLM-Adapters' commonsense_170k (its published items for BoolQ, PIQA, ARC and
// HellaSwag give the separators; SIQA and WinoGrande follow the same pattern); the gold answer
// of each record is read by the task's lm-eval reader (harness_docs.cpp), so a bad label is
// reported the same way in training and in evaluation.
#include "task_training.h"

#include "harness_docs.h"

namespace slim::suites {

namespace {

int64_t goldOf(const std::string &harnessTask, const Record &record)
{
    return detail::taskRule(harnessTask).read(record).gold;
}

// "Answer1: a Answer2: b ...\n\nAnswer format: answer1/answer2/..."
std::string numbered(const std::string &label, const std::vector<std::string> &items)
{
    std::string listed, format;
    std::string lower = label;
    lower[0] = char(lower[0] - 'A' + 'a');
    for (size_t i = 0; i < items.size(); ++i) {
        listed += (i ? " " : "") + label + std::to_string(i + 1) + ": " + items[i];
        format += (i ? "/" : "") + lower + std::to_string(i + 1);
    }
    return listed + "\n\nAnswer format: " + format;
}

Conversation make(const Record &record, std::string instruction, std::string answer)
{
    Conversation c;
    c.file = record.file;
    c.line = record.line;
    c.messages = {{"user", std::move(instruction)}, {"assistant", std::move(answer)}};
    return c;
}

std::string correct(const std::string &label, int64_t gold)
{
    return "the correct answer is " + label + std::to_string(gold + 1);
}

const std::string kChoose = "Please choose the correct answer to the question: ";

} // namespace

std::string trainingTaskOf(const Record &r)
{
    if (hasField(r, "goal") && hasField(r, "sol1"))
        return "piqa";
    if (hasField(r, "passage") && hasField(r, "question"))
        return "boolq";
    if (hasField(r, "answerA") && hasField(r, "context"))
        return "siqa";
    if (hasField(r, "endings") && hasField(r, "activity_label"))
        return "hellaswag";
    if (hasField(r, "sentence") && hasField(r, "option1"))
        return "winogrande";
    if (hasField(r, "question_stem") && hasField(r, "choices"))
        return "openbookqa";
    if (hasField(r, "question") && hasField(r, "choices") && hasField(r, "answerKey"))
        return "arc";
    if (hasField(r, "question") && hasField(r, "answer") && r.fields["answer"].is_string()
        && !hasField(r, "choices"))
        return "gsm8k";
    return "";
}

Conversation trainingTaskConversation(const std::string &task, const Record &r)
{
    if (task == "boolq")
        return make(r,
                    "Please answer the following question with true or false, question: "
                        + stringField(r, "question") + "?\n\nAnswer format: true/false",
                    std::string("the correct answer is ")
                        + (goldOf("boolq", r) == 1 ? "true" : "false"));
    if (task == "piqa")
        return make(r,
                    "Please choose the correct solution to the question: " + stringField(r, "goal")
                        + "\n\nSolution1: " + stringField(r, "sol1") + "\n\nSolution2: "
                        + stringField(r, "sol2") + "\n\nAnswer format: solution1/solution2",
                    correct("solution", goldOf("piqa", r)));
    if (task == "siqa") {
        const std::vector<std::string> answers {stringField(r, "answerA"),
                                                stringField(r, "answerB"),
                                                stringField(r, "answerC")};
        return make(r,
                    kChoose + stringField(r, "context") + " " + stringField(r, "question")
                        + "\n\n" + numbered("Answer", answers),
                    correct("answer", goldOf("siqa", r)));
    }
    if (task == "hellaswag") {
        const auto gold = goldOf("hellaswag", r);
        const auto context = hasField(r, "ctx")
                                 ? stringField(r, "ctx")
                                 : stringField(r, "ctx_a") + " " + stringField(r, "ctx_b");
        return make(r,
                    "Please choose the correct ending to complete the given sentence: "
                        + stringField(r, "activity_label") + ": " + context + "\n\n"
                        + numbered("Ending", stringListField(r, "endings")),
                    correct("ending", gold));
    }
    if (task == "winogrande")
        return make(r,
                    "Please choose the correct answer to fill in the blank to complete the given "
                    "sentence: "
                        + stringField(r, "sentence") + "\n\n"
                        + numbered("Option", {stringField(r, "option1"), stringField(r, "option2")}),
                    correct("option", goldOf("winogrande", r)));
    if (task == "arc" || task == "openbookqa") {
        const auto doc = detail::taskRule(task == "arc" ? "arc_easy" : "openbookqa").read(r);
        const auto &question = stringField(r, task == "arc" ? "question" : "question_stem");
        return make(r, kChoose + question + "\n\n" + numbered("Answer", doc.choices),
                    correct("answer", doc.gold));
    }
    if (task == "gsm8k")
        return make(r, stringField(r, "question"), stringField(r, "answer"));
    recordError(r, "no training task '" + task + "'");
}

const char *trainingTaskShapes()
{
    return "boolq (question, passage, answer or label), piqa (goal, sol1, sol2, label), siqa "
           "(context, question, answerA-C, label), hellaswag (activity_label, ctx, endings, "
           "label), winogrande (sentence, option1, option2, answer), arc (question, choices, "
           "answerKey), openbookqa (question_stem, choices, answerKey), gsm8k (question, answer)";
}

} // namespace slim::suites
