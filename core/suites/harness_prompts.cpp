// Requests as lm-eval builds them: description, few-shot examples (each "text answer" followed
// by "\n\n"), then the document's text; continuations are " " + choice.
#include "harness_docs.h"
#include "python_random.h"

#include <stdexcept>

namespace slim::suites {

using detail::HarnessDoc;
using detail::ShotSampler;
using detail::TaskRule;

namespace {

constexpr const char *kTargetDelimiter = " ";
constexpr const char *kFewshotDelimiter = "\n\n";

RequestKind kindOf(const TaskRule &rule, const HarnessDoc &doc)
{
    if (rule.task.name == "custom")
        return doc.choices.empty() ? RequestKind::Generation : RequestKind::Choice;
    return rule.task.kind;
}

// A few-shot example: the document as scored, completed with its gold answer.
std::string shotText(RequestKind kind, const HarnessDoc &doc)
{
    switch (kind) {
    case RequestKind::Choice:
        return doc.text + kTargetDelimiter + doc.choices[size_t(doc.gold)];
    case RequestKind::Partial:
        return doc.text + doc.choices[size_t(doc.gold)] + kTargetDelimiter + doc.target;
    case RequestKind::Generation:
        return doc.text + kTargetDelimiter + doc.shot_answer;
    }
    return {};
}

struct ShotPool
{
    std::vector<Record> records;
    std::vector<HarnessDoc> docs;
};

class ShotDrawer
{
public:
    ShotDrawer(const TaskRule &rule, const ShotPool &pool, int64_t shots, uint64_t seed)
        : m_rule(rule)
        , m_pool(pool)
        , m_shots(size_t(shots))
        , m_random(seed)
    { }

    // The few-shot documents for one evaluated record, in prompt order.
    std::vector<const HarnessDoc *> draw(const Record &record, const HarnessDoc &doc)
    {
        std::vector<const HarnessDoc *> out;
        if (m_shots == 0)
            return out;
        const auto &name = m_rule.task.name;
        switch (m_rule.sampler) {
        case ShotSampler::FixedExemplars: {
            const auto &exemplars = *m_rule.exemplars;
            if (m_shots > exemplars.size())
                throw std::invalid_argument(name + ": " + std::to_string(m_shots)
                                            + " shots, but the task has "
                                            + std::to_string(exemplars.size()) + " exemplars");
            for (size_t i = 0; i < m_shots; ++i)
                out.push_back(&exemplars[i]);
            return out;
        }
        case ShotSampler::FirstN: {
            for (const auto &candidate : m_pool.docs) {
                if (candidate.group == doc.group && out.size() < m_shots)
                    out.push_back(&candidate);
            }
            if (out.size() < m_shots)
                throw std::invalid_argument(
                    name + ": " + std::to_string(m_shots) + " shots, but the few-shot file has "
                    + std::to_string(out.size()) + " records of '" + doc.group + "' (" + record.file
                    + ":" + std::to_string(record.line) + ")");
            return out;
        }
        case ShotSampler::Random:
        case ShotSampler::RandomExcludingDoc: {
            const bool excluding = m_rule.sampler == ShotSampler::RandomExcludingDoc;
            const auto wanted = m_shots + (excluding ? 1 : 0);
            if (wanted > m_pool.docs.size())
                throw std::invalid_argument(
                    name + ": " + std::to_string(m_shots) + " shots need " + std::to_string(wanted)
                    + " few-shot records, " + m_pool.records.front().file + " has "
                    + std::to_string(m_pool.docs.size()));
            for (const auto index : m_random.sample(m_pool.docs.size(), wanted)) {
                if (excluding && m_pool.records[index].fields == record.fields)
                    continue; // lm-eval drops the document itself from its own shots
                if (out.size() < m_shots)
                    out.push_back(&m_pool.docs[index]);
            }
            return out;
        }
        }
        return out;
    }

private:
    const TaskRule &m_rule;
    const ShotPool &m_pool;
    size_t m_shots;
    PythonRandom m_random;
};

HarnessRequest requestOf(RequestKind kind, const HarnessDoc &doc, const std::string &prefix)
{
    HarnessRequest r;
    r.kind = kind;
    r.gold = doc.gold;
    r.group = doc.group;
    switch (kind) {
    case RequestKind::Choice:
        r.contexts = {prefix + doc.text};
        for (const auto &choice : doc.choices)
            r.continuations.push_back(kTargetDelimiter + choice);
        r.choices = doc.choices;
        break;
    case RequestKind::Partial:
        for (const auto &option : doc.choices)
            r.contexts.push_back(prefix + doc.text + option);
        r.continuations = {kTargetDelimiter + doc.target};
        r.choices = doc.choices;
        break;
    case RequestKind::Generation:
        r.contexts = {prefix + doc.text};
        r.target = doc.target;
        break;
    }
    return r;
}

} // namespace

const std::vector<HarnessTask> &harnessTasks()
{
    static const auto tasks = [] {
        std::vector<HarnessTask> out;
        for (const auto &rule : detail::taskRules())
            out.push_back(rule.task);
        return out;
    }();
    return tasks;
}

const HarnessTask &harnessTask(const std::string &name)
{
    return detail::taskRule(name).task;
}

std::vector<HarnessRequest> buildRequests(const HarnessTask &task,
                                          const std::vector<Record> &records,
                                          const std::vector<Record> &fewshotPool,
                                          const PromptOptions &options)
{
    const auto &rule = detail::taskRule(task.name);
    if (records.empty())
        throw std::invalid_argument(task.name + ": no records to evaluate");
    const auto shots = options.shots.value_or(task.default_shots);
    if (shots < 0)
        throw std::invalid_argument(task.name + ": shots must be >= 0, not "
                                    + std::to_string(shots));
    const bool needsPool = shots > 0 && rule.sampler != ShotSampler::FixedExemplars;
    if (needsPool && fewshotPool.empty())
        throw std::invalid_argument(task.name + ": " + std::to_string(shots)
                                    + " shots need few-shot records (--fewshot-data FILE: "
                                    + (rule.sampler == ShotSampler::FirstN
                                           ? "the dev split"
                                           : "the split lm-eval draws shots from, e.g. train")
                                    + "), or use --shots 0");
    ShotPool pool;
    if (needsPool) {
        pool.records = fewshotPool;
        for (const auto &record : fewshotPool)
            pool.docs.push_back(rule.read(record));
    }
    const auto count
        = options.limit > 0 ? std::min(records.size(), size_t(options.limit)) : records.size();
    ShotDrawer drawer(rule, pool, shots, options.fewshot_seed);
    std::vector<HarnessRequest> out;
    std::optional<RequestKind> fileKind;
    for (size_t i = 0; i < count; ++i) {
        const auto doc = rule.read(records[i]);
        const auto kind = kindOf(rule, doc);
        if (fileKind && kind != *fileKind)
            recordError(records[i],
                        "a " + std::string(kind == RequestKind::Choice ? "choice" : "generation")
                            + " record among "
                            + (kind == RequestKind::Choice ? "generation" : "choice")
                            + " records; one file holds one kind");
        fileKind = kind;
        std::string prefix = doc.description;
        for (const auto *shot : drawer.draw(records[i], doc))
            prefix += shotText(kindOf(rule, *shot), *shot) + kFewshotDelimiter;
        out.push_back(requestOf(kind, doc, prefix));
        if (kind == RequestKind::Choice)
            detail::setLabelView(task.name, records[i], doc, out.back());
    }
    return out;
}

nlohmann::json promptJson(const HarnessRequest &request)
{
    switch (request.kind) {
    case RequestKind::Choice:
        return {{"context", request.contexts.front()},
                {"continuations", request.continuations},
                {"gold", request.gold}};
    case RequestKind::Partial:
        return {{"contexts", request.contexts},
                {"continuation", request.continuations.front()},
                {"gold", request.gold}};
    case RequestKind::Generation:
        return {{"context", request.contexts.front()}, {"target", request.target}};
    }
    return {};
}

} // namespace slim::suites
