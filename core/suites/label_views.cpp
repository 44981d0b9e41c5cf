// The paper's harness view of a record (label-token mode, ../shared/docs/evaluation.md section
// 2): the question alone with the choices' texts listed "(A) ... (B) ...", no few-shot
// examples, BoolQ without its passage. Tasks whose lm-eval context already is the bare
// question with text choices (HellaSwag, custom) keep the generic view.
#include "harness_docs.h"

#include "tokenizer/python_str.h"

namespace slim::suites::detail {

void setLabelView(const std::string &task, const Record &record, const HarnessDoc &doc,
                  HarnessRequest &request)
{
    auto set = [&](std::string context, std::vector<std::string> choices) {
        request.label_context = std::move(context);
        request.label_choices = std::move(choices);
    };
    if (task == "arc_easy" || task == "arc_challenge")
        set(stringField(record, "question"), doc.choices);
    else if (task == "openbookqa")
        set(stringField(record, "question_stem"), doc.choices);
    else if (task == "boolq")
        // The choices in gold order: no (0) is false, yes (1) is true.
        set("Please answer the following question with true or false: "
                + stringField(record, "question") + "?",
            {"false", "true"});
    else if (task == "piqa")
        set(stringField(record, "goal"), doc.choices);
    else if (task == "siqa")
        set(stringField(record, "context") + " " + stringField(record, "question"), doc.choices);
    else if (task == "commonsense_qa") {
        const Record inner {record.file, record.line, objectField(record, "choices"), false};
        set(tok::stripPythonSpace(stringField(record, "question")),
            stringListField(inner, "text"));
    } else if (task == "mmlu")
        set(tok::stripPythonSpace(stringField(record, "question")),
            stringListField(record, "choices"));
    else if (task == "hellaswag")
        set(doc.text, doc.choices); // lm-eval's context is the bare (cleaned) sentence
}

} // namespace slim::suites::detail
