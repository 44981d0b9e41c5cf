#pragma once
// The settings that differ between two of the compared runs: their run specs flattened to
// dotted paths ("adapter.lora_rank"), one row per path, identical paths hidden unless asked
// for. GUI thread only.

#include "compare/compared_run.h"

#include <QMap>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QStandardItemModel;
class QTableView;

namespace slim::ui {

// A run spec as path -> value text: nested keys joined with ".", arrays of plain values kept
// whole as compact JSON ("[\"a\",\"b\"]"), arrays holding objects indexed ("tasks[0].name"),
// strings without quotes. Invalid JSON gives one entry "(spec)" holding the parse error.
QMap<QString, QString> flattenSpec(const std::string &specJson);

class ConfigDiffPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ConfigDiffPanel(QWidget *parent = nullptr);

    // Keeps the chosen pair when both runs are still there, else the first two runs.
    void setRuns(const std::vector<ComparedRun> &runs);
    void selectRuns(std::int64_t runA, std::int64_t runB);
    std::int64_t runA() const;
    std::int64_t runB() const;

    void setShowAll(bool showAll);
    bool showAll() const;

    // Columns: Path | run A's name | run B's name; sorted by path.
    QStandardItemModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }

private:
    void fillCombo(QComboBox *combo, std::int64_t keep, int fallbackIndex);
    void rebuildTable();
    void exportTable();
    const ComparedRun *runById(std::int64_t id) const;

    QComboBox *m_runA;
    QComboBox *m_runB;
    QCheckBox *m_showAll;
    QLabel *m_summary;
    QStandardItemModel *m_model;
    QTableView *m_table;
    std::vector<ComparedRun> m_runs;
};

} // namespace slim::ui
