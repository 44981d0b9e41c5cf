#include "suite_commands.h"

#include "suites/harness_tasks.h"

#include <iostream>

namespace slim::cli {

int cmdPrompts(const PromptsArgs &a)
{
    const auto &task = suites::harnessTask(a.task);
    const auto records = suites::readRecords(a.data);
    if (records.empty())
        throw std::invalid_argument(a.data + ": no records (an empty file cannot be evaluated)");
    const auto pool = a.fewshotData.empty() ? std::vector<suites::Record>()
                                            : suites::readRecords(a.fewshotData);
    suites::PromptOptions options;
    options.shots = a.shots;
    options.limit = a.limit;
    // Every request is built before the first line is printed: a bad record prints nothing.
    const auto requests = suites::buildRequests(task, records, pool, options);
    for (const auto &request : requests)
        std::cout << suites::promptJson(request).dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace)
                  << '\n';
    return std::cout.good() ? 0 : 1;
}

} // namespace slim::cli
