#include "scores/results_table.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <tuple>

namespace slim::scores {

namespace {

// A configuration's name from its first run's: without a trailing " seed <n>" (how the benchmark
// and many users name seeds) or " seed=<n>" (a sweep's run, whose seed axis comes last), so
// "benchmark slim-no-l1 seed 1" heads the row of all its seeds.
std::string withoutSeedSuffix(const std::string &label)
{
    for (const std::string marker : {" seed ", " seed="}) {
        const auto at = label.rfind(marker);
        if (at == std::string::npos || at == 0 || at + marker.size() == label.size())
            continue;
        bool digits = true;
        for (size_t i = at + marker.size(); i < label.size(); ++i)
            digits = digits && label[i] >= '0' && label[i] <= '9';
        if (digits)
            return label.substr(0, at);
    }
    return label;
}

std::optional<Spread> spreadOrNone(const Spread &s)
{
    return s.n > 0 ? std::optional<Spread>(s) : std::nullopt;
}

Spread single(double value)
{
    return spreadOf({value});
}

} // namespace

ResultsTable resultsTable(const std::vector<TableRun> &runs)
{
    ResultsTable table;
    // (general, task, partial credit) -> column
    std::map<std::tuple<bool, std::string, bool>, ResultsColumn> columns;
    std::map<std::pair<std::string, bool>, double> baseValues; // (task, partial credit)
    std::map<std::pair<std::string, bool>, std::vector<double>> runErrors; // (task, partial)
    std::vector<SeededRun> seeded;
    std::map<std::string, int> methodCount;
    for (const auto &run : runs) {
        for (const bool partial : {false, true}) {
            for (const auto &task :
                 partial ? partialCreditScores(run.scores) : primaryScores(run.scores)) {
                const bool general = task.kind == store::TaskKind::General;
                columns[{general, task.task, partial}]
                    = {task.task, general, !partial && !isFractionScore(task.metric), partial};
                const auto *p = task.finalPoint();
                if (p && p->base && !baseValues.count({task.task, partial}))
                    baseValues[{task.task, partial}] = *p->base;
                if (p && p->stderr_ && std::isfinite(*p->stderr_))
                    runErrors[{task.task, partial}].push_back(*p->stderr_);
            }
        }
        seeded.push_back(seededRun(run.record, run.scores));
    }
    for (const auto &[key, column] : columns)
        table.columns.push_back(column);

    const auto groups = groupBySeed(seeded);
    for (const auto &g : groups)
        ++methodCount[g.method];
    for (const auto &g : groups) {
        ResultsRow row;
        row.label = g.method;
        if (methodCount[g.method] > 1) {
            for (const auto &run : seeded) {
                if (run.id == g.runIds.front())
                    row.label = withoutSeedSuffix(run.label);
            }
        }
        row.seeds = g.seeds;
        for (const auto &column : table.columns) {
            const auto &scores = column.partialCredit ? g.partialCredit : g.tasks;
            auto it = scores.find(column.task);
            row.cells.push_back(it == scores.end() ? std::nullopt : spreadOrNone(it->second));
        }
        row.downstream = spreadOrNone(g.downstream);
        row.general = spreadOrNone(g.general);
        row.forgetting = spreadOrNone(g.forgetting);
        table.rows.push_back(std::move(row));
    }
    if (!baseValues.empty()) {
        ResultsRow base;
        base.label = "base model";
        for (const auto &column : table.columns) {
            auto it = baseValues.find({column.task, column.partialCredit});
            base.cells.push_back(it == baseValues.end() ? std::nullopt
                                                        : std::optional(single(it->second)));
        }
        table.base = std::move(base);
    }
    if (!runErrors.empty()) {
        ResultsRow errors;
        errors.label = "per-run standard error";
        for (const auto &column : table.columns) {
            auto it = runErrors.find({column.task, column.partialCredit});
            errors.cells.push_back(it == runErrors.end()
                                       ? std::nullopt
                                       : std::optional(single(spreadOf(it->second).mean)));
        }
        table.runStdError = std::move(errors);
    }
    return table;
}

std::optional<TableFormat> tableFormatFromName(std::string_view name)
{
    if (name == "md")
        return TableFormat::Markdown;
    if (name == "csv")
        return TableFormat::Csv;
    if (name == "latex")
        return TableFormat::Latex;
    return std::nullopt;
}

namespace {

// "61.2 ± 1.3" (LaTeX: "61.2 $\pm$ 1.3"), bits per byte with three decimals, "-" when absent.
std::string cellText(const std::optional<Spread> &s, bool bitsPerByte, std::string_view plusMinus)
{
    if (!s)
        return "-";
    const double scale = bitsPerByte ? 1.0 : 100.0;
    const int decimals = bitsPerByte ? 3 : 1;
    char buf[64];
    if (std::isfinite(s->sd))
        std::snprintf(buf, sizeof buf, "%.*f %.*s %.*f", decimals, scale * s->mean,
                      int(plusMinus.size()), plusMinus.data(), decimals, scale * s->sd);
    else
        std::snprintf(buf, sizeof buf, "%.*f", decimals, scale * s->mean);
    return buf;
}

std::string csvNumber(double v)
{
    if (!std::isfinite(v))
        return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string csvQuoted(const std::string &text)
{
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string latexEscaped(const std::string &text)
{
    std::string out;
    for (char c : text) {
        if (c == '_' || c == '%' || c == '&' || c == '#' || c == '$')
            out += '\\';
        out += c;
    }
    return out;
}

struct Header
{
    std::string name;
    bool bitsPerByte = false;
};

// The columns after the label: tasks, then the averages and forgetting.
std::vector<Header> headers(const ResultsTable &table)
{
    std::vector<Header> out;
    for (const auto &c : table.columns)
        out.push_back(
            {c.task + (c.bitsPerByte ? " (bits/byte)" : "") + (c.partialCredit ? " (chars)" : ""),
             c.bitsPerByte});
    out.push_back({"downstream avg", false});
    out.push_back({"general avg", false});
    out.push_back({"forgetting", false});
    return out;
}

std::vector<std::optional<Spread>> values(const ResultsRow &row)
{
    auto out = row.cells;
    out.push_back(row.downstream);
    out.push_back(row.general);
    out.push_back(row.forgetting);
    return out;
}

void writeCsv(const ResultsTable &table, std::ostream &out)
{
    out << "method,seeds";
    for (const auto &h : headers(table))
        out << "," << csvQuoted(h.name) << "," << csvQuoted(h.name + " sd") << ","
            << csvQuoted(h.name + " n");
    out << "\n";
    auto line = [&](const ResultsRow &row) {
        std::string seeds;
        for (auto s : row.seeds) {
            if (!seeds.empty())
                seeds += ' ';
            seeds += std::to_string(s);
        }
        out << csvQuoted(row.label) << "," << seeds;
        for (const auto &v : values(row)) {
            if (v)
                out << "," << csvNumber(v->mean) << "," << csvNumber(v->sd) << "," << v->n;
            else
                out << ",,,";
        }
        out << "\n";
    };
    if (table.base)
        line(*table.base);
    for (const auto &row : table.rows)
        line(row);
    if (table.runStdError)
        line(*table.runStdError);
}

void writeMarkdownOrLatex(const ResultsTable &table, bool latex, std::ostream &out)
{
    const auto hs = headers(table);
    const char *sep = latex ? " & " : " | ";
    const char *plusMinus = latex ? "$\\pm$" : "±";
    auto text = [&](const std::string &s) { return latex ? latexEscaped(s) : s; };
    if (latex) {
        out << "\\begin{tabular}{l" << std::string(hs.size(), 'r') << "}\n\\toprule\n";
        out << "method";
    } else {
        out << "| method";
    }
    for (const auto &h : hs)
        out << sep << text(h.name);
    out << (latex ? " \\\\\n\\midrule\n" : " |\n|---");
    if (!latex) {
        for (std::size_t i = 0; i < hs.size(); ++i)
            out << "|---:";
        out << "|\n";
    }
    auto line = [&](const ResultsRow &row) {
        out << (latex ? "" : "| ") << text(row.label);
        for (const auto &cell : resultsCells(table, row, plusMinus))
            out << sep << cell;
        out << (latex ? " \\\\\n" : " |\n");
    };
    if (table.base)
        line(*table.base);
    for (const auto &row : table.rows)
        line(row);
    if (table.runStdError) {
        if (latex)
            out << "\\midrule\n";
        line(*table.runStdError);
    }
    if (latex)
        out << "\\bottomrule\n\\end{tabular}\n";
    else
        out << "\nScores in %, mean ± standard deviation over seeds (one seed: its value); "
               "bits per byte: lower is better; forgetting in points (positive = forgot); "
               "per-run standard error: the mean over the runs of each run's own standard "
               "error on its test items.\n";
}

} // namespace

std::vector<std::string> resultsHeaders(const ResultsTable &table)
{
    std::vector<std::string> names;
    for (const auto &h : headers(table))
        names.push_back(h.name);
    return names;
}

std::vector<std::string> resultsCells(const ResultsTable &table, const ResultsRow &row,
                                      std::string_view plusMinus)
{
    const auto hs = headers(table);
    const auto vs = values(row);
    std::vector<std::string> cells;
    for (std::size_t i = 0; i < hs.size(); ++i)
        cells.push_back(cellText(vs[i], hs[i].bitsPerByte, plusMinus));
    return cells;
}

void writeResultsTable(const ResultsTable &table, TableFormat format, std::ostream &out)
{
    if (format == TableFormat::Csv)
        writeCsv(table, out);
    else
        writeMarkdownOrLatex(table, format == TableFormat::Latex, out);
}

} // namespace slim::scores
