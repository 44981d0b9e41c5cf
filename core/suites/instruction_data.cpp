#include "instruction_data.h"

#include "task_training.h"

#include "data/data_locator.h"
#include "tokenizer/chat_template.h"

#include <algorithm>

namespace slim::suites {

namespace {

constexpr const char *kShapes
    = "understood: alpaca (instruction, input, output), sharegpt (conversations of {from, "
      "value}), messages ({role, content}), completion (prompt, completion), text (text), ";

InstructionShape shapeOf(const Record &record)
{
    if (!trainingTaskOf(record).empty())
        return InstructionShape::Task;
    if (hasField(record, "conversations"))
        return InstructionShape::ShareGpt;
    if (hasField(record, "messages"))
        return InstructionShape::Messages;
    if (hasField(record, "instruction") && hasField(record, "output"))
        return InstructionShape::Alpaca;
    if (hasField(record, "prompt") && hasField(record, "completion"))
        return InstructionShape::Completion;
    if (hasField(record, "text"))
        return InstructionShape::Text;
    std::string fields;
    for (const auto &[key, value] : record.fields.items())
        fields += (fields.empty() ? "" : ", ") + key;
    recordError(record, "a record of unknown shape (fields: " + fields + "); " + kShapes
                            + trainingTaskShapes());
}

std::string roleOfSpeaker(const Record &record, size_t index, const std::string &from)
{
    if (from == "human" || from == "user")
        return "user";
    if (from == "gpt" || from == "assistant" || from == "chatgpt" || from == "model")
        return "assistant";
    if (from == "system")
        return "system";
    recordError(record,
                "field 'conversations' item " + std::to_string(index)
                    + ": unknown "
                      "speaker '"
                    + from + "' (human, gpt or system)");
}

// A list of {keyRole, keyContent} objects as messages.
std::vector<Message> messagesOf(const Record &record, const std::string &field,
                                const std::string &keyRole, const std::string &keyContent)
{
    const auto list = arrayField(record, field);
    std::vector<Message> out;
    for (size_t i = 0; i < list.size(); ++i) {
        const Record item {record.file, record.line, list[i], false};
        const auto where = "field '" + field + "' item " + std::to_string(i);
        if (!list[i].is_object())
            recordError(record, where + " must be an object");
        if (!hasField(item, keyRole) || !list[i][keyRole].is_string())
            recordError(record, where + ": '" + keyRole + "' must be a string");
        if (!hasField(item, keyContent) || !list[i][keyContent].is_string())
            recordError(record, where + ": '" + keyContent + "' must be a string");
        const auto &role = list[i][keyRole].get_ref<const std::string &>();
        Message m {field == "conversations" ? roleOfSpeaker(record, i, role) : role,
                   list[i][keyContent].get<std::string>()};
        if (m.role != "system" && m.role != "user" && m.role != "assistant")
            recordError(record,
                        where + ": role '" + m.role + "' is not one of system, user, assistant");
        out.push_back(std::move(m));
    }
    if (out.empty())
        recordError(record, "field '" + field + "' has no messages");
    return out;
}

Conversation conversationOf(InstructionShape shape, const Record &record)
{
    Conversation c;
    c.file = record.file;
    c.line = record.line;
    switch (shape) {
    case InstructionShape::Alpaca:
        c.alpaca_input = hasField(record, "input") ? stringField(record, "input") : "";
        c.messages = {{"user", stringField(record, "instruction")},
                      {"assistant", stringField(record, "output")}};
        break;
    case InstructionShape::ShareGpt:
        c.messages = messagesOf(record, "conversations", "from", "value");
        break;
    case InstructionShape::Messages:
        c.messages = messagesOf(record, "messages", "role", "content");
        break;
    case InstructionShape::Completion:
        c.messages = {{"user", stringField(record, "prompt")},
                      {"assistant", stringField(record, "completion")}};
        break;
    case InstructionShape::Text:
        c.messages = {{"assistant", stringField(record, "text")}};
        break;
    case InstructionShape::Task:
        return trainingTaskConversation(trainingTaskOf(record), record);
    }
    return c;
}

[[noreturn]] void conversationError(const Conversation &c, const std::string &what)
{
    throw data::DataError(c.file + ":" + std::to_string(c.line) + ": " + what);
}

// The user's content as chat templates see it: Alpaca's input follows its instruction.
std::string userContent(const Conversation &c, const Message &m)
{
    return c.alpaca_input.empty() ? m.content : m.content + "\n\n" + c.alpaca_input;
}

nlohmann::ordered_json chatMessages(const Conversation &c, size_t count)
{
    auto out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < count; ++i)
        out.push_back({{"role", c.messages[i].role},
                       {"content",
                        c.messages[i].role == "user" ? userContent(c, c.messages[i])
                                                     : c.messages[i].content}});
    return out;
}

FormattedExample chatFormatted(const Conversation &c, const tok::Tokenizer &tokenizer,
                               bool answersOnly)
{
    if (c.messages.back().role != "assistant")
        conversationError(c,
                          "the conversation ends with a " + c.messages.back().role
                              + " message: nothing to train on");
    if (!answersOnly)
        return {{tok::renderChat(tokenizer, chatMessages(c, c.messages.size())), true}};
    // Each answer is what the template adds after the prompt that asks for it.
    FormattedExample out;
    std::string emitted;
    for (size_t i = 0; i < c.messages.size(); ++i) {
        if (c.messages[i].role != "assistant")
            continue;
        tok::ChatOptions ask;
        ask.add_generation_prompt = true;
        const auto prompt = tok::renderChat(tokenizer, chatMessages(c, i), ask);
        const auto full = tok::renderChat(tokenizer, chatMessages(c, i + 1));
        if (!prompt.starts_with(emitted) || !full.starts_with(prompt))
            conversationError(c,
                              "the chat template renders message " + std::to_string(i)
                                  + " differently once the conversation goes on, so the "
                                    "answers cannot be told apart; train on all tokens");
        out.push_back({prompt.substr(emitted.size()), false});
        out.push_back({full.substr(prompt.size()), true});
        emitted = full;
    }
    return out;
}

FormattedExample alpacaFormatted(const Conversation &c, bool answersOnly)
{
    if (c.messages.size() != 2 || c.messages[0].role != "user" || c.messages[1].role != "assistant")
        conversationError(c,
                          "the alpaca template takes one instruction and one answer; this "
                          "conversation has "
                              + std::to_string(c.messages.size())
                              + " messages (use the model's chat template)");
    // Stanford Alpaca's templates (train.py's PROMPT_DICT); the answer follows directly.
    const std::string prompt = c.alpaca_input.empty()
        ? "Below is an instruction that describes a task. Write a response that "
          "appropriately completes the request.\n\n### Instruction:\n"
            + c.messages[0].content + "\n\n### Response:"
        : "Below is an instruction that describes a task, paired with an input that "
          "provides further context. Write a response that appropriately completes the "
          "request.\n\n### Instruction:\n"
            + c.messages[0].content + "\n\n### Input:\n" + c.alpaca_input + "\n\n### Response:";
    return {{prompt, !answersOnly}, {c.messages[1].content, true}};
}

} // namespace

const char *shapeName(InstructionShape shape)
{
    switch (shape) {
    case InstructionShape::Alpaca:
        return "alpaca";
    case InstructionShape::ShareGpt:
        return "sharegpt";
    case InstructionShape::Messages:
        return "messages";
    case InstructionShape::Completion:
        return "completion";
    case InstructionShape::Text:
        return "text";
    case InstructionShape::Task:
        return "task";
    }
    return "text";
}

InstructionData instructionData(const std::vector<Record> &records)
{
    if (records.empty())
        throw data::DataError("no records: a training set needs at least one");
    InstructionData data;
    data.shape = shapeOf(records.front());
    data.task = trainingTaskOf(records.front());
    auto nameOf = [](InstructionShape shape, const std::string &task) {
        const auto name = shape == InstructionShape::Task ? task : std::string(shapeName(shape));
        return (std::string("aeiou").find(name[0]) == std::string::npos ? "a " : "an ") + name;
    };
    for (const auto &record : records) {
        const auto shape = shapeOf(record);
        const auto task = trainingTaskOf(record);
        if (shape != data.shape || task != data.task)
            recordError(record,
                        nameOf(shape, task) + " record in " + nameOf(data.shape, data.task)
                            + " file (its first record); one file holds one shape");
        data.conversations.push_back(conversationOf(shape, record));
    }
    return data;
}

InstructionData readInstructionData(const std::filesystem::path &path)
{
    const auto records = readRecords(path);
    if (records.empty())
        throw data::DataError(path.string() + ": no records; a training set needs at least one");
    return instructionData(records);
}

const char *promptFormatName(PromptFormat format)
{
    switch (format) {
    case PromptFormat::ChatTemplate:
        return "chat";
    case PromptFormat::Alpaca:
        return "alpaca";
    case PromptFormat::Plain:
        return "plain";
    }
    return "plain";
}

std::optional<PromptFormat> promptFormatFromName(std::string_view name)
{
    for (auto format : {PromptFormat::ChatTemplate, PromptFormat::Alpaca, PromptFormat::Plain}) {
        if (name == promptFormatName(format))
            return format;
    }
    return std::nullopt;
}

FormattedExample formatConversation(const Conversation &c, PromptFormat format,
                                    const tok::Tokenizer *tokenizer, bool answersOnly)
{
    if (c.messages.empty())
        conversationError(c, "an empty conversation");
    // Raw text is trained as it is, whatever the format.
    if (c.messages.size() == 1 && c.messages[0].role == "assistant" && c.alpaca_input.empty())
        return {{c.messages[0].content, true}};
    switch (format) {
    case PromptFormat::ChatTemplate:
        if (!tokenizer)
            conversationError(c, "the chat format needs the model's tokenizer");
        return chatFormatted(c, *tokenizer, answersOnly);
    case PromptFormat::Alpaca:
        return alpacaFormatted(c, answersOnly);
    case PromptFormat::Plain:
        if (c.messages.size() != 2 || c.messages[0].role != "user" || !c.alpaca_input.empty())
            conversationError(c,
                              "the plain format takes prompt + completion or text records; "
                              "format conversations with the model's chat template or the "
                              "alpaca template");
        return {{c.messages[0].content, !answersOnly}, {c.messages[1].content, true}};
    }
    return {};
}

} // namespace slim::suites
