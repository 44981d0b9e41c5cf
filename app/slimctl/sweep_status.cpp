// slimctl sweep status / list, and the state of a sweep's runs they print.
#include "sweep_status.h"

#include "sweep_commands.h"

#include "jobs/workbench_paths.h"
#include "sweeps/sweep_spec.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace slim::cli {

using nlohmann::json;

namespace {

std::string percent(const std::optional<double> &v)
{
    if (!v)
        return "-";
    char text[16];
    std::snprintf(text, sizeof(text), "%.1f", 100.0 * *v);
    return text;
}

// The run's row in its task database, when there is one.
void readTaskDatabase(const std::filesystem::path &file, SweepRunState &run,
                      std::vector<std::string> &problems)
{
    std::error_code error;
    if (!std::filesystem::exists(file, error))
        return;
    try {
        store::Database::Options options;
        options.readOnly = true;
        options.create = false;
        store::RunStore task(store::Database(file.string(), options));
        if (const auto id = task.findRunByUuid(run.uuid)) {
            const auto recorded = task.getRun(*id);
            run.taskStatus = recorded->status;
            run.taskStep = recorded->currentStep;
            run.taskTotal = recorded->totalSteps;
        }
    } catch (const std::exception &e) {
        problems.push_back(e.what());
    }
}

std::string statusText(const std::optional<store::RunStatus> &status)
{
    return status ? std::string(store::runStatusName(*status)) : std::string("-");
}

} // namespace

bool SweepRunState::succeeded() const
{
    return (here && here->status == store::RunStatus::Succeeded)
           || taskStatus == store::RunStatus::Succeeded;
}

store::SweepRecord resolveSweep(store::RunStore &db, const std::string &reference)
{
    const auto found = db.findSweeps(reference);
    if (found.empty())
        throw std::invalid_argument("no sweep '" + reference
                                    + "' in this database (slimctl sweep list shows them)");
    if (found.size() > 1) {
        std::string ids;
        for (const auto &sweep : found)
            ids += " " + std::to_string(sweep.id) + " (" + sweep.uuid.substr(0, 8) + ")";
        throw std::invalid_argument("'" + reference + "' matches " + std::to_string(found.size())
                                    + " sweeps:" + ids + "; give one of their ids");
    }
    return found.front();
}

SweepState collectSweepState(store::RunStore &db, std::int64_t sweepId,
                             std::optional<sweeps::SweepFolder> folder)
{
    SweepState state;
    state.record = *db.getSweep(sweepId);
    const auto sweep = sweeps::sweepFromJson(json::parse(state.record.specJson));
    const auto submissions = json::parse(state.record.slurmJson);
    if (!folder && !submissions.empty())
        folder = sweeps::SweepFolder {submissions.back().at("dir").get<std::string>()};
    state.folder = folder;

    store::RunFilter filter;
    filter.sweepId = sweepId;
    std::map<std::string, store::RunSummary> here;
    for (const auto &run : db.listRuns(filter))
        here.emplace(run.uuid, run);
    // Each task's latest submission, and what Slurm says of that job's tasks.
    std::map<std::size_t, std::string> jobOf;
    for (const auto &submission : submissions)
        for (const auto index : sweeps::arrayIndices(submission.at("tasks").get<std::string>()))
            jobOf[index] = submission.at("job_id").get<std::string>();
    std::map<std::string, std::map<std::size_t, sweeps::TaskState>> jobStates;
    for (const auto &[index, job] : jobOf)
        if (!jobStates.count(job))
            jobStates[job] = sweeps::arrayTaskStates(job, state.problems);

    for (const auto &run : sweep.runs) {
        SweepRunState entry;
        entry.index = run.index;
        entry.uuid = run.uuid;
        entry.name = run.name;
        if (const auto it = here.find(run.uuid); it != here.end())
            entry.here = it->second;
        if (const auto job = jobOf.find(run.index); job != jobOf.end()) {
            entry.slurmJob = job->second;
            const auto &states = jobStates[job->second];
            if (const auto task = states.find(run.index); task != states.end()) {
                entry.slurmState = task->second.state;
                entry.slurmReason = task->second.reason;
            }
        }
        if (folder)
            readTaskDatabase(folder->taskDatabase(run.index), entry, state.problems);
        state.runs.push_back(std::move(entry));
    }
    return state;
}

void printSweepState(const SweepState &state, bool asJson, std::ostream &out)
{
    const bool slurm = state.folder.has_value();
    std::map<std::string, int> counts;
    std::vector<std::size_t> toImport, ended;
    for (const auto &run : state.runs) {
        const auto status = run.here && run.here->status == store::RunStatus::Succeeded
                                ? std::string("succeeded")
                            : run.taskStatus ? statusText(run.taskStatus)
                            : run.here       ? statusText(run.here->status)
                                             : std::string("not started");
        ++counts[run.activeInSlurm() && !run.taskStatus ? "pending" : status];
        if (run.taskStatus && store::isTerminal(*run.taskStatus)
            && (!run.here || run.here->status != *run.taskStatus))
            toImport.push_back(run.index);
        if (sweeps::endedBadly(run.slurmState) && !run.succeeded())
            ended.push_back(run.index);
    }
    if (asJson) {
        json runs = json::array();
        for (const auto &run : state.runs) {
            json entry = {{"index", run.index}, {"uuid", run.uuid}, {"name", run.name}};
            if (slurm)
                entry.update({{"slurm_job", run.slurmJob}, {"slurm_state", run.slurmState},
                              {"slurm_reason", run.slurmReason},
                              {"task_status", run.taskStatus ? json(statusText(run.taskStatus))
                                                             : json()},
                              {"task_step", run.taskStep}, {"task_total_steps", run.taskTotal}});
            entry["run_id"] = run.here ? json(run.here->id) : json();
            entry["status"] = run.here ? json(statusText(run.here->status)) : json();
            entry["downstream_avg"] = run.here && run.here->downstreamAvg
                                          ? json(*run.here->downstreamAvg) : json();
            entry["general_avg"] = run.here && run.here->generalAvg ? json(*run.here->generalAvg)
                                                                    : json();
            entry["forgetting_avg"] = run.here && run.here->forgettingAvg
                                          ? json(*run.here->forgettingAvg) : json();
            runs.push_back(entry);
        }
        out << json({{"sweep", {{"id", state.record.id}, {"uuid", state.record.uuid},
                                {"name", state.record.name}, {"runs", state.runs.size()},
                                {"folder", slurm ? state.folder->dir.string() : std::string()}}},
                     {"runs", runs}, {"counts", counts}, {"problems", state.problems}})
                   .dump(2)
            << "\n";
        return;
    }
    out << "sweep " << state.record.name << " (id " << state.record.id << ", "
        << state.record.uuid.substr(0, 8) << "): " << state.runs.size() << " runs";
    if (slurm)
        out << ", Slurm folder " << state.folder->dir.string();
    out << "\n";
    char line[512];
    if (slurm)
        std::snprintf(line, sizeof(line), "%-5s %-22s %-12s %-11s %-12s %6s %6s %6s  %s\n",
                      "task", "slurm", "task run", "step", "here", "down", "gen", "forg", "name");
    else
        std::snprintf(line, sizeof(line), "%-5s %-7s %-12s %-11s %6s %6s %6s  %s\n", "index",
                      "run", "status", "step", "down", "gen", "forg", "name");
    out << line;
    for (const auto &run : state.runs) {
        const auto step = run.taskStatus ? std::to_string(run.taskStep) + "/"
                                               + std::to_string(run.taskTotal)
                          : run.here ? std::to_string(run.here->currentStep) + "/"
                                           + std::to_string(run.here->totalSteps)
                                     : std::string("-");
        const auto down = percent(run.here ? run.here->downstreamAvg : std::nullopt);
        const auto gen = percent(run.here ? run.here->generalAvg : std::nullopt);
        const auto forg = percent(run.here ? run.here->forgettingAvg : std::nullopt);
        if (slurm) {
            auto slurmText = run.slurmState.empty() ? std::string(run.slurmJob.empty() ? "-" : "?")
                                                    : run.slurmState;
            if (!run.slurmReason.empty())
                slurmText += " (" + run.slurmReason + ")";
            std::snprintf(line, sizeof(line), "%-5zu %-22s %-12s %-11s %-12s %6s %6s %6s  %s\n",
                          run.index, slurmText.substr(0, 22).c_str(),
                          statusText(run.taskStatus).c_str(), step.c_str(),
                          run.here ? statusText(run.here->status).c_str() : "-", down.c_str(),
                          gen.c_str(), forg.c_str(), run.name.c_str());
        } else {
            std::snprintf(line, sizeof(line), "%-5zu %-7s %-12s %-11s %6s %6s %6s  %s\n",
                          run.index,
                          run.here ? std::to_string(run.here->id).c_str() : "-",
                          run.here ? statusText(run.here->status).c_str() : "-", step.c_str(),
                          down.c_str(), gen.c_str(), forg.c_str(), run.name.c_str());
        }
        out << line;
    }
    std::string summary;
    for (const auto &[name, count] : counts)
        summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + name;
    out << summary << "\n";
    if (!toImport.empty()) {
        out << toImport.size() << " finished task(s) not merged here yet: slimctl import";
        for (const auto index : toImport)
            out << " " << state.folder->taskDatabase(index).string();
        out << "\n";
    }
    if (!ended.empty())
        out << ended.size() << " task(s) ended badly in Slurm (" << sweeps::arraySpec(ended, 0)
            << "): slimctl sweep resubmit " << state.record.id << "\n";
    for (const auto &problem : state.problems)
        out << "note: " << problem << "\n";
}

int cmdSweepStatus(const GlobalOptions &g, const SweepRefArgs &a)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    db.markInterruptedRuns();
    const auto record = resolveSweep(db, a.sweep);
    printSweepState(collectSweepState(db, record.id), g.json, std::cout);
    return 0;
}

int cmdSweepList(const GlobalOptions &g)
{
    const auto paths = jobs::WorkbenchPaths::resolve(g.database);
    store::RunStore db(paths.database.string());
    json list = json::array();
    for (const auto &sweep : db.listSweeps()) {
        store::RunFilter filter;
        filter.sweepId = sweep.id;
        int succeeded = 0;
        const auto runs = db.listRuns(filter);
        for (const auto &run : runs)
            succeeded += run.status == store::RunStatus::Succeeded;
        const bool slurm = json::parse(sweep.slurmJson).size() > 0;
        if (g.json) {
            list.push_back({{"id", sweep.id}, {"uuid", sweep.uuid}, {"name", sweep.name},
                            {"runs", sweep.runCount}, {"recorded", runs.size()},
                            {"succeeded", succeeded}, {"slurm", slurm},
                            {"created_at", sweep.createdAt}});
        } else {
            std::cout << sweep.id << "  " << sweep.uuid.substr(0, 8) << "  " << sweep.name << "  "
                      << succeeded << "/" << sweep.runCount << " succeeded"
                      << (slurm ? "  (Slurm)" : "") << "  " << sweep.createdAt << "\n";
        }
    }
    if (g.json)
        std::cout << list.dump(2) << "\n";
    return 0;
}

} // namespace slim::cli
