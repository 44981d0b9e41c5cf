#pragma once
// Instruction data in the shapes people fine-tune on, read from JSONL, JSON or CSV
// (dataset_records.h) and turned into training text: Alpaca (instruction, input, output),
// ShareGPT (conversations of {from, value}), OpenAI-style messages ({role, content}), plain
// completion (prompt, completion), raw text (text), and the downstream tasks in their original
// shapes (task_training.h). A file holds one shape, recognised from
// its first record; a record of another shape is refused naming file, line and field.
// Formatting: the model's chat template (transformers' apply_chat_template), the Alpaca template
// or plain concatenation, as segments that carry the loss (the assistant's answers, by default)
// or not.

#include "dataset_records.h"
#include "data/task.h"
#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim::suites {

// Task: a downstream task in its original shape (task_training.h), e.g. BoolQ's records.
enum class InstructionShape { Alpaca, ShareGpt, Messages, Completion, Text, Task };
const char *shapeName(InstructionShape shape); // "alpaca", "sharegpt", "messages", ...

struct Message
{
    std::string role; // "system", "user" or "assistant"
    std::string content;
};

struct Conversation
{
    std::vector<Message> messages; // Text: one assistant message
    std::string alpaca_input; // Alpaca: the input field, kept apart for its template
    std::string file;
    int line = 0;
};

struct InstructionData
{
    InstructionShape shape = InstructionShape::Text;
    std::string task; // Task: which ("boolq", "piqa", ...)
    std::vector<Conversation> conversations;
};

// Throws data::DataError: no records, an unknown shape (listing the shapes understood), a
// record of another shape than the first, a bad field, an unknown role.
InstructionData instructionData(const std::vector<Record> &records);
InstructionData readInstructionData(const std::filesystem::path &path);

// Part of a formatted example; `trained`: its tokens carry the loss.
using Segment = data::TextSegment;
using FormattedExample = std::vector<Segment>;

enum class PromptFormat {
    ChatTemplate, // the tokenizer's chat template
    Alpaca, // Stanford Alpaca's template (single-turn data)
    Plain, // prompt + completion as they are; raw text (completion and text data)
};
// "chat", "alpaca", "plain"; nullopt otherwise.
std::optional<PromptFormat> promptFormatFromName(std::string_view name);
const char *promptFormatName(PromptFormat format);

// One conversation as training text. answersOnly: only the assistant's messages carry the loss
// (raw text is trained as a whole). Throws data::DataError naming the record when the format
// cannot hold it (Alpaca: one user turn and one answer; plain: completion or text data) or
// when the chat template does not render the conversation turn by turn as a prefix of itself.
FormattedExample formatConversation(const Conversation &conversation, PromptFormat format,
                                    const tok::Tokenizer *tokenizer, bool answersOnly = true);

} // namespace slim::suites
