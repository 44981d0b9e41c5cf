#pragma once
// A training file as the engine trains on it: its records (instruction data or a downstream
// task in its original shape, instruction_data.h) formatted into data::TextExample segments, as
// a data::Task with a train split only, named after the file.

#include "instruction_data.h"

#include <filesystem>
#include <string>

namespace slim::suites {

// "auto": the model's chat template when its tokenizer has one, else Alpaca's template for
// instructions, conversations and tasks, and plain text for completion and text data.
std::optional<PromptFormat> resolvedPromptFormat(const std::string &name, InstructionShape shape,
                                                 const tok::Tokenizer &tokenizer);

// Reads, checks and formats every record. answersOnly: only the answers (the assistant's
// messages) carry the loss. Throws data::DataError naming file, line and field.
data::Task trainingSetTask(const std::filesystem::path &path, const std::string &promptFormat,
                           const tok::Tokenizer &tokenizer, bool answersOnly);

// Whether a data.tasks entry names a file rather than a built-in task: it has a folder part or
// a dataset extension (.jsonl, .json, .csv, each optionally .gz).
bool isDatasetPath(const std::string &entry);

} // namespace slim::suites
