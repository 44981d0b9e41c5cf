#pragma once
// The downstream tasks of the paper's protocol in their original shapes (Hugging Face datasets'
// fields: BoolQ, PIQA, SIQA, HellaSwag, WinoGrande, ARC, OpenBookQA; and GSM8K) as training
// conversations, worded as LLM-Adapters' commonsense_170k words them (the mix SLIM and most
// PEFT papers fine-tune on): "Please choose the correct solution to the question: ...
// Answer format: solution1/solution2" answered "the correct answer is solution2". A file of
// such records trains one task (SDS); several files make the mix (MDS).

#include "instruction_data.h"

#include <string>

namespace slim::suites {

// The task whose original shape `record` has ("boolq", "piqa", "siqa", "hellaswag",
// "winogrande", "arc", "openbookqa", "gsm8k"), or "" for none.
std::string trainingTaskOf(const Record &record);

// The record as one user message (the task's instruction) and the assistant's answer. Throws
// data::DataError naming file, line and field for a bad record.
Conversation trainingTaskConversation(const std::string &task, const Record &record);

// The shapes understood, for messages: "boolq (question, passage, answer|label), ...".
const char *trainingTaskShapes();

} // namespace slim::suites
