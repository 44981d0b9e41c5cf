#include "sweeps/sweep_spec.h"

#include "adapters/adapter_schema.h"
#include "common/sha256.h"
#include "pipeline/run_spec.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace slim::sweeps {

namespace {

using nlohmann::json;
using spec::SpecError;
namespace fs = std::filesystem;

std::string canonicalAxisPath(const std::string &path)
{
    return path == "method" ? "adapter.method" : path;
}

const spec::FieldSpec *runSpecField(const std::string &path)
{
    for (const auto &field : engine::runSpecSchema())
        if (field.path == path)
            return &field;
    return nullptr;
}

// A stable id in the 8-4-4-4-12 layout of a UUID: the first 128 bits of SHA-256(text).
std::string hashId(const std::string &text)
{
    const auto hex = common::sha256Hex(text);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-"
           + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// Sets the field at a dotted path. A group that is there but not an object (a base with
// "adapter": "x") is left as it is, for the run's validation to name.
void setPath(json &document, const std::string &path, const json &value)
{
    json *node = &document;
    std::size_t start = 0;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
        if (!node->is_object() && !node->is_null())
            return;
        node = &(*node)[path.substr(start, dot - start)];
        start = dot + 1;
    }
    if (node->is_object() || node->is_null())
        (*node)[path.substr(start)] = value;
}

// The base as a JSON object: given inline, a preset name or a spec file beside the sweep.
json resolveBase(const json &base, const fs::path &folder, std::vector<SpecError> &errors)
{
    if (base.is_object())
        return base;
    if (!base.is_string()) {
        errors.push_back({"base", "expected a run spec object, a preset name or a spec file"});
        return {};
    }
    const auto name = base.get<std::string>();
    for (const auto &preset : engine::presetNames())
        if (preset == name)
            return engine::preset(name).toJson();
    const fs::path file = fs::path(name).is_absolute() || folder.empty() ? fs::path(name)
                                                                           : folder / name;
    std::error_code error;
    std::ifstream in;
    if (fs::is_regular_file(file, error))
        in.open(file);
    if (!in.is_open()) {
        errors.push_back({"base", "'" + name + "' is neither a preset nor a readable spec file ("
                                      + file.string() + ")"});
        return {};
    }
    try {
        auto loaded = json::parse(in);
        if (!loaded.is_object())
            errors.push_back({"base", file.string() + ": expected a run spec object"});
        return loaded;
    } catch (const json::exception &e) {
        errors.push_back({"base", file.string() + ": not valid JSON: " + e.what()});
        return {};
    }
}

// The axes in path order; problems of their shape go to `errors`.
std::vector<SweepAxis> readAxes(const json &axes, std::vector<SpecError> &errors)
{
    std::vector<SweepAxis> result;
    if (!axes.is_object() || axes.empty()) {
        errors.push_back({"axes", "expected an object of at least one field path with its values"});
        return result;
    }
    std::map<std::string, SweepAxis> byPath;
    for (const auto &[given, values] : axes.items()) {
        const auto where = "axes." + given;
        const auto path = canonicalAxisPath(given);
        if (path == "name") {
            errors.push_back({where, "the runs are named after the sweep and their axis values"});
            continue;
        }
        if (!runSpecField(path)) {
            errors.push_back({where, "no such run spec field"});
            continue;
        }
        if (byPath.count(path)) {
            errors.push_back({where, "given twice (\"method\" is \"adapter.method\")"});
            continue;
        }
        if (!values.is_array() || values.empty()) {
            errors.push_back({where, "expected a non-empty list of values"});
            continue;
        }
        SweepAxis axis{path, {}};
        for (const auto &value : values) {
            for (const auto &seen : axis.values)
                if (seen == value)
                    errors.push_back({where, "value " + value.dump() + " is given twice"});
            axis.values.push_back(value);
        }
        byPath.emplace(path, std::move(axis));
    }
    for (auto &[path, axis] : byPath)
        result.push_back(std::move(axis));
    return result;
}

std::string valueText(const json &value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// The run spec of one combination: the base, minus method-specific adapter options of other
// methods, with the axis values set.
json runSpecOf(const json &base, const std::vector<std::pair<std::string, json>> &assignment)
{
    json spec = base;
    spec.erase("name");
    for (const auto &[path, value] : assignment)
        setPath(spec, path, value);
    const auto *method = spec.contains("adapter") && spec["adapter"].is_object()
                             && spec["adapter"].contains("method")
                                 ? &spec["adapter"]["method"]
                                 : nullptr;
    if (method && method->is_string() && base.contains("adapter") && base["adapter"].is_object()) {
        std::set<std::string> fromAxes;
        for (const auto &[path, value] : assignment)
            fromAxes.insert(path);
        for (const auto &[key, value] : base["adapter"].items()) {
            const auto path = "adapter." + key;
            const auto *field = runSpecField(path);
            if (field && !fromAxes.count(path) && !field->appliesTo(method->get<std::string>()))
                spec["adapter"].erase(key);
        }
    }
    return spec;
}

SweepCheck expand(const json &document, const fs::path &folder)
{
    SweepCheck out;
    auto &errors = out.errors;
    if (!document.is_object())
        return {{}, {{"(sweep)", "expected a JSON object with name, base and axes"}}};
    for (const auto &[key, value] : document.items())
        if (key != "name" && key != "base" && key != "axes")
            errors.push_back({key, "unknown field (a sweep has name, base and axes)"});
    const auto name = document.find("name");
    if (name == document.end() || !name->is_string() || name->get<std::string>().empty())
        errors.push_back({"name", "expected the sweep's name (a non-empty string)"});
    else
        out.sweep.name = name->get<std::string>();
    if (!document.contains("base"))
        errors.push_back({"base", "missing (a run spec object, a preset name or a spec file)"});
    else
        out.sweep.base = resolveBase(document["base"], folder, errors);
    out.sweep.axes = readAxes(document.contains("axes") ? document["axes"] : json(), errors);
    if (!errors.empty())
        return out;

    std::size_t count = 1;
    for (const auto &axis : out.sweep.axes) {
        count *= axis.values.size();
        if (count > kMaxSweepRuns)
            return {{}, {{"axes", "expands into more than " + std::to_string(kMaxSweepRuns)
                                      + " runs; split the sweep"}}};
    }
    auto &sweep = out.sweep;
    sweep.uuid = hashId(sweep.toJson().dump());
    // Each distinct problem once, with the first run it concerns and how many others.
    std::map<std::string, std::pair<std::string, std::size_t>> problems;
    std::vector<std::string> order;
    for (std::size_t index = 0; index < count; ++index) {
        SweepRun run;
        run.index = index;
        std::size_t rest = index;
        for (auto axis = sweep.axes.rbegin(); axis != sweep.axes.rend(); ++axis) {
            run.assignment.emplace(run.assignment.begin(), axis->path,
                                   axis->values[rest % axis->values.size()]);
            rest /= axis->values.size();
        }
        auto spec = runSpecOf(sweep.base, run.assignment);
        run.name = sweep.name + " " + sweep.describe(run);
        spec["name"] = run.name;
        const auto runErrors = engine::validateRunSpec(spec);
        for (const auto &e : runErrors) {
            const auto [it, added] = problems.try_emplace(e.text(), sweep.describe(run), 0);
            if (added)
                order.push_back(e.text());
            else
                ++it->second.second;
        }
        if (!runErrors.empty())
            continue;
        run.spec = engine::runSpecFromJson(spec).toJson();
        run.uuid = hashId(sweep.uuid + "\n" + json(run.assignment).dump());
        sweep.runs.push_back(std::move(run));
    }
    for (const auto &text : order) {
        const auto &[where, others] = problems[text];
        const auto all = others + 1 == count;
        errors.push_back({all ? "base" : "axes",
                          all ? text + " (every run)"
                              : "run " + where + ": " + text
                                    + (others == 0   ? ""
                                 : others == 1 ? " (and 1 other run)"
                                               : " (and " + std::to_string(others) + " other runs)")});
    }
    return out;
}

std::string joined(const std::vector<SpecError> &errors)
{
    std::string text;
    for (const auto &e : errors)
        text += (text.empty() ? "" : "\n") + e.text();
    return text;
}

} // namespace

json Sweep::toJson() const
{
    json axesJson = json::object();
    for (const auto &axis : axes)
        axesJson[axis.path] = axis.values;
    return {{"name", name}, {"base", base}, {"axes", axesJson}};
}

std::string Sweep::describe(const SweepRun &run) const
{
    std::map<std::string, int> shortNames;
    for (const auto &axis : axes)
        ++shortNames[axis.path.substr(axis.path.rfind('.') + 1)];
    std::string text;
    for (const auto &[path, value] : run.assignment) {
        const auto shortName = path.substr(path.rfind('.') + 1);
        text += (text.empty() ? "" : " ") + (shortNames[shortName] == 1 ? shortName : path) + "="
                + valueText(value);
    }
    return text;
}

SweepCheck checkSweep(const json &document, const fs::path &folder)
{
    return expand(document, folder);
}

std::vector<SpecError> validateSweep(const json &document, const fs::path &folder)
{
    return expand(document, folder).errors;
}

Sweep sweepFromJson(const json &document, const fs::path &folder)
{
    auto expansion = expand(document, folder);
    if (!expansion.errors.empty())
        throw std::invalid_argument(joined(expansion.errors));
    return std::move(expansion.sweep);
}

Sweep loadSweepFile(const fs::path &file)
{
    std::ifstream in(file);
    if (!in)
        throw std::invalid_argument(file.string() + ": cannot read the sweep file");
    json document;
    try {
        document = json::parse(in);
    } catch (const json::exception &e) {
        throw std::invalid_argument(file.string() + ": not valid JSON: " + e.what());
    }
    auto expansion = expand(document, file.parent_path());
    if (!expansion.errors.empty())
        throw std::invalid_argument(file.string() + ":\n" + joined(expansion.errors));
    return std::move(expansion.sweep);
}

} // namespace slim::sweeps
