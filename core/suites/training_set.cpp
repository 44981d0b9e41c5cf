#include "training_set.h"

#include "data/data_locator.h"
#include "data/task_catalog.h"

namespace slim::suites {

std::optional<PromptFormat> resolvedPromptFormat(const std::string &name, InstructionShape shape,
                                                 const tok::Tokenizer &tokenizer)
{
    if (name != "auto")
        return promptFormatFromName(name);
    if (!tokenizer.chatTemplates().empty())
        return PromptFormat::ChatTemplate;
    const bool plain = shape == InstructionShape::Completion || shape == InstructionShape::Text;
    return plain ? PromptFormat::Plain : PromptFormat::Alpaca;
}

data::Task trainingSetTask(const std::filesystem::path &path, const std::string &promptFormat,
                           const tok::Tokenizer &tokenizer, bool answersOnly)
{
    const auto set = readInstructionData(path);
    const auto format = resolvedPromptFormat(promptFormat, set.shape, tokenizer);
    if (!format)
        throw data::DataError("data.prompt_format: '" + promptFormat
                              + "' is not auto, chat, alpaca or plain");
    if (*format == PromptFormat::ChatTemplate && tokenizer.chatTemplates().empty())
        throw data::DataError("data.prompt_format: chat, but the model's tokenizer has no chat "
                              "template (tokenizer_config.json has no chat_template); use auto, "
                              "alpaca or plain");
    data::Task task;
    task.name = path.filename().string();
    task.version = std::string("file/1:") + shapeName(set.shape)
                   + (set.task.empty() ? "" : "/" + set.task);
    task.prompt_template = promptFormatName(*format);
    for (const auto &conversation : set.conversations) {
        data::TextExample example;
        example.segments = formatConversation(conversation, *format, &tokenizer, answersOnly);
        // A rendered chat template holds the model's BOS and end-of-turn tokens; raw text does
        // not, whatever the format.
        example.own_special_tokens
            = *format == PromptFormat::ChatTemplate && set.shape != InstructionShape::Text;
        task.train.push_back(std::move(example));
    }
    task.sha256 = data::computeTaskSha256(task);
    return task;
}

bool isDatasetPath(const std::string &entry)
{
    return entry.find('/') != std::string::npos || hasRecordsExtension(entry);
}

} // namespace slim::suites
