#include "runview/details_view.h"

#include "common/palette.h"

#include "common/error_box.h"
#include "common/table_export.h"
#include "run_session.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace slim::ui {

namespace {

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

// Byte counts read as "1.2 MiB" but sort and export as numbers.
class BytesItem : public QTableWidgetItem
{
public:
    explicit BytesItem(std::int64_t bytes)
    {
        QTableWidgetItem::setData(Qt::EditRole, qint64(bytes));
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    QVariant data(int role) const override
    {
        if (role == Qt::DisplayRole)
            return QLocale().formattedDataSize(QTableWidgetItem::data(Qt::EditRole).toLongLong());
        return QTableWidgetItem::data(role);
    }
    bool operator<(const QTableWidgetItem &other) const override
    {
        return data(Qt::EditRole).toLongLong() < other.data(Qt::EditRole).toLongLong();
    }
};

QTableWidgetItem *textItem(const QString &text, const QString &toolTip = {})
{
    auto *item = new QTableWidgetItem(text);
    item->setToolTip(toolTip.isEmpty() ? text : toolTip);
    return item;
}

QTableWidgetItem *shaItem(const std::string &sha)
{
    return textItem(sha.empty() ? QStringLiteral("—") : q(sha.substr(0, 12)), q(sha));
}

QString localTime(const std::string &iso)
{
    if (iso.empty())
        return QStringLiteral("—");
    const auto t = QDateTime::fromString(q(iso), Qt::ISODateWithMs);
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : q(iso);
}

QString jsonValueText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 12);
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QStringLiteral("null");
}

// {"libtorch": "2.1", ...} as "libtorch  2.1" lines; long hashes shortened (full in tooltip).
QString jsonLines(const std::string &json)
{
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json));
    if (!doc.isObject())
        return q(json);
    QStringList lines;
    const auto object = doc.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        QString value = jsonValueText(it.value());
        if (value.size() > 40)
            value = value.left(16) + QStringLiteral("…");
        lines << it.key() + QStringLiteral(":  ") + value;
    }
    return lines.isEmpty() ? QStringLiteral("—") : lines.join(QLatin1Char('\n'));
}

constexpr int kCheckpointPath = 5; // the checkpoints table's path column

QTableWidget *makeTable(const QString &objectName, const QStringList &headers,
                        const QString &exportName)
{
    auto *table = new QTableWidget(0, int(headers.size()));
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    installCsvExport(table, exportName);
    return table;
}

QGroupBox *group(const QString &title, QWidget *content, QWidget *button = nullptr)
{
    auto *box = new QGroupBox(title);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(content, 1);
    if (button) {
        auto *row = new QHBoxLayout;
        row->addStretch(1);
        row->addWidget(button);
        layout->addLayout(row);
    }
    return box;
}

} // namespace

DetailsView::DetailsView(const services::RunSession *session, QWidget *parent)
    : QWidget(parent)
    , m_spec(new QPlainTextEdit)
    , m_copy(new QPushButton(QStringLiteral("Copy")))
    , m_environment(makeTable(QStringLiteral("environmentTable"),
                              {QStringLiteral("Field"), QStringLiteral("Value")},
                              QStringLiteral("environment")))
    , m_checkpoints(
          makeTable(QStringLiteral("checkpointsTable"),
                    {QStringLiteral("Step"), QStringLiteral("Size"), QStringLiteral("Kept"),
                     QStringLiteral("SHA-256"), QStringLiteral("Created"), QStringLiteral("Path")},
                    QStringLiteral("checkpoints")))
    , m_artifacts(
          makeTable(QStringLiteral("artifactsTable"),
                    {QStringLiteral("Kind"), QStringLiteral("Size"), QStringLiteral("SHA-256"),
                     QStringLiteral("Created"), QStringLiteral("Path")},
                    QStringLiteral("artifacts")))
    , m_openCheckpoints(new QPushButton(QStringLiteral("Open folder")))
    , m_openArtifacts(new QPushButton(QStringLiteral("Open folder")))
    , m_pin(new QPushButton(QStringLiteral("Pin")))
    , m_prune(new QPushButton(QStringLiteral("Prune")))
    , m_session(session)
{
    m_spec->setObjectName(QStringLiteral("specText"));
    m_spec->setReadOnly(true);
    m_spec->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_spec->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_copy->setObjectName(QStringLiteral("copySpec"));
    m_copy->setToolTip(QStringLiteral("Copy the run spec (JSON) to the clipboard"));
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_spec->toPlainText()); });

    m_environment->setWordWrap(true);
    m_environment->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_openCheckpoints->setObjectName(QStringLiteral("openCheckpointsFolder"));
    m_openArtifacts->setObjectName(QStringLiteral("openArtifactsFolder"));
    connect(m_openCheckpoints, &QPushButton::clicked, this,
            [this] { openFolderOf(m_checkpoints, kCheckpointPath); });
    m_pin->setObjectName(QStringLiteral("pinCheckpoint"));
    m_pin->setToolTip(QStringLiteral("Keep the selected checkpoint whatever the retention policy"));
    m_prune->setObjectName(QStringLiteral("pruneCheckpoints"));
    m_prune->setToolTip(QStringLiteral("Delete the checkpoints the run's policy does not keep "
                                       "(the last N, evaluated and pinned ones stay)"));
    connect(m_checkpoints, &QTableWidget::itemSelectionChanged, this, &DetailsView::updatePinButton);
    connect(m_pin, &QPushButton::clicked, this, [this] {
        const int row = m_checkpoints->currentRow();
        if (row < 0 || !m_session->hasDetail())
            return;
        const auto step = m_checkpoints->item(row, 0)->data(Qt::EditRole).toLongLong();
        const bool pinned = m_checkpoints->item(row, 0)->data(Qt::UserRole).toBool();
        Q_EMIT checkpointPinRequested(m_session->record().id, step, !pinned);
    });
    connect(m_prune, &QPushButton::clicked, this, [this] {
        if (m_session->hasDetail())
            Q_EMIT pruneRequested(m_session->record().id);
    });
    connect(m_openArtifacts, &QPushButton::clicked, this, [this] { openFolderOf(m_artifacts, 4); });

    auto *files = new QSplitter(Qt::Vertical);
    files->addWidget(group(QStringLiteral("Environment"), m_environment));
    auto *checkpointButtons = new QWidget;
    auto *buttonRow = new QHBoxLayout(checkpointButtons);
    buttonRow->setContentsMargins(0, 0, 0, 0);
    buttonRow->addWidget(m_pin);
    buttonRow->addWidget(m_prune);
    buttonRow->addWidget(m_openCheckpoints);
    m_checkpointsBox = group(QStringLiteral("Checkpoints"), m_checkpoints, checkpointButtons);
    files->addWidget(m_checkpointsBox);
    files->addWidget(group(QStringLiteral("Artifacts"), m_artifacts, m_openArtifacts));
    files->setStretchFactor(0, 3);
    files->setStretchFactor(1, 1);
    files->setStretchFactor(2, 1);

    auto *split = new QSplitter(Qt::Horizontal);
    split->addWidget(group(QStringLiteral("Run spec"), m_spec, m_copy));
    split->addWidget(files);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);

    auto *root = new QVBoxLayout(this);
    root->addWidget(split);
    connect(m_session, &services::RunSession::detailChanged, this, &DetailsView::reload);
    // The run list is re-read at every progress write; the session signals only when a field
    // shown here changed, so the table keeps the user's selection and scroll position meanwhile.
    connect(m_session, &services::RunSession::recordChanged, this, &DetailsView::fillEnvironment);
    reload();
}

void DetailsView::reload()
{
    if (!m_session->hasDetail()) {
        m_spec->setPlainText(QString());
        m_spec->setPlaceholderText(QStringLiteral("No run loaded"));
        m_copy->setEnabled(false);
    } else {
        const auto &spec = m_session->record().specJson;
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(spec));
        m_spec->setPlainText(doc.isNull() ? q(spec)
                                          : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
        m_copy->setEnabled(true);
    }
    fillEnvironment();
    fillFiles();
}

QString DetailsView::specText() const
{
    return m_spec->toPlainText();
}

QString DetailsView::environmentValue(const QString &field) const
{
    for (int row = 0; row < m_environment->rowCount(); ++row) {
        if (m_environment->item(row, 0)->text() == field)
            return m_environment->item(row, 1)->text();
    }
    return {};
}

void DetailsView::fillEnvironment()
{
    m_environment->setRowCount(0);
    if (!m_session->hasDetail())
        return;
    const auto &r = m_session->record();
    QList<std::pair<QString, QString>> rows;
    auto add = [&rows](const QString &field, const QString &value) {
        rows.append({field, value.isEmpty() ? QStringLiteral("—") : value});
    };
    add(QStringLiteral("Run"), QStringLiteral("#%1  %2").arg(r.id).arg(q(r.name)));
    add(QStringLiteral("UUID"), q(r.uuid));
    add(QStringLiteral("Method"), q(r.method));
    add(QStringLiteral("Status"), q(std::string(store::runStatusName(r.status))));
    add(QStringLiteral("Progress"),
        r.totalSteps > 0 ? QStringLiteral("step %1 of %2").arg(r.currentStep).arg(r.totalSteps)
                         : QString());
    add(QStringLiteral("Device"), q(r.device));
    add(QStringLiteral("Git commit"), q(r.gitCommit));
    add(QStringLiteral("Seed"), r.seed ? QString::number(*r.seed) : QString());
    add(QStringLiteral("Library versions"), jsonLines(r.versionsJson));
    add(QStringLiteral("Dataset hashes"), jsonLines(r.datasetHashesJson));
    add(QStringLiteral("Created"), localTime(r.createdAt));
    add(QStringLiteral("Started"), localTime(r.startedAt));
    add(QStringLiteral("Finished"), localTime(r.finishedAt));
    add(QStringLiteral("Last heartbeat"), localTime(r.heartbeatAt));
    add(QStringLiteral("Process"),
        r.pid ? QStringLiteral("pid %1 on %2").arg(*r.pid).arg(q(r.host)) : q(r.host));
    if (r.parentRunId)
        add(QStringLiteral("Parent run"), QStringLiteral("#%1").arg(*r.parentRunId));
    if (!r.errorMessage.empty() || r.status == store::RunStatus::Failed) {
        add(QStringLiteral("Error"), q(r.errorMessage));
        add(QStringLiteral("Error detail"), q(r.errorDetail));
    }
    m_environment->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        auto *field = textItem(rows[i].first);
        QFont bold = field->font();
        bold.setBold(true);
        field->setFont(bold);
        m_environment->setItem(i, 0, field);
        QString tip = rows[i].second;
        if (rows[i].first == QLatin1String("Library versions"))
            tip = q(r.versionsJson);
        else if (rows[i].first == QLatin1String("Dataset hashes"))
            tip = q(r.datasetHashesJson);
        auto *value = textItem(rows[i].second, tip);
        if (rows[i].first.startsWith(QLatin1String("Error")))
            value->setForeground(palette::error());
        m_environment->setItem(i, 1, value);
    }
    m_environment->resizeRowsToContents();
}

void DetailsView::fillFiles()
{
    static const services::RunDetail kNone;
    const auto &detail = m_session->hasDetail() ? *m_session->loaded() : kNone;
    m_checkpoints->setSortingEnabled(false);
    m_checkpoints->setRowCount(int(detail.checkpoints.size()));
    const auto &evaluated = detail.evaluatedSteps;
    const auto count = std::int64_t(detail.checkpoints.size());
    for (int i = 0; i < int(detail.checkpoints.size()); ++i) {
        const auto &c = detail.checkpoints[std::size_t(i)];
        auto *step = new QTableWidgetItem;
        step->setData(Qt::EditRole, qint64(c.step));
        step->setData(Qt::UserRole, c.pinned);
        QStringList why;
        if (c.pinned)
            why << QStringLiteral("pinned");
        if (std::find(evaluated.begin(), evaluated.end(), c.step) != evaluated.end())
            why << QStringLiteral("evaluated");
        if (detail.keepCheckpoints <= 0 || i >= count - detail.keepCheckpoints)
            why << QStringLiteral("recent");
        m_checkpoints->setItem(i, 0, step);
        m_checkpoints->setItem(i, 1, new BytesItem(c.bytes));
        m_checkpoints->setItem(i, 2, textItem(why.join(QStringLiteral(", "))));
        m_checkpoints->setItem(i, 3, shaItem(c.sha256));
        m_checkpoints->setItem(i, 4, textItem(localTime(c.createdAt)));
        m_checkpoints->setItem(i, kCheckpointPath, textItem(q(c.path)));
    }
    m_checkpoints->setSortingEnabled(true);
    m_checkpoints->resizeColumnsToContents();
    const auto policy = detail.keepCheckpoints > 0
                            ? QStringLiteral("the last %1 plus evaluated and pinned ones are kept")
                                  .arg(detail.keepCheckpoints)
                            : QStringLiteral("every checkpoint is kept");
    m_checkpointsBox->setTitle(QStringLiteral("Checkpoints: %1 on disk, run folder %2 (%3)")
                                   .arg(count)
                                   .arg(QLocale().formattedDataSize(detail.diskBytes))
                                   .arg(policy));
    m_prune->setEnabled(detail.keepCheckpoints > 0 && count > 0);
    updatePinButton();

    m_artifacts->setSortingEnabled(false);
    m_artifacts->setRowCount(int(detail.artifacts.size()));
    for (int i = 0; i < int(detail.artifacts.size()); ++i) {
        const auto &a = detail.artifacts[std::size_t(i)];
        m_artifacts->setItem(i, 0, textItem(q(a.kind)));
        m_artifacts->setItem(i, 1, new BytesItem(a.bytes));
        m_artifacts->setItem(i, 2, shaItem(a.sha256));
        m_artifacts->setItem(i, 3, textItem(localTime(a.createdAt)));
        m_artifacts->setItem(i, 4, textItem(q(a.path)));
    }
    m_artifacts->setSortingEnabled(true);
    m_artifacts->resizeColumnsToContents();

    m_openCheckpoints->setEnabled(!detail.checkpoints.empty());
    m_openArtifacts->setEnabled(!detail.artifacts.empty());
}

void DetailsView::updatePinButton()
{
    const int row = m_checkpoints->currentRow();
    const bool pinned = row >= 0 && m_checkpoints->item(row, 0)
                        && m_checkpoints->item(row, 0)->data(Qt::UserRole).toBool();
    m_pin->setText(pinned ? QStringLiteral("Unpin") : QStringLiteral("Pin"));
    m_pin->setEnabled(row >= 0);
}

QString DetailsView::checkpointsTitle() const
{
    return m_checkpointsBox->title();
}

void DetailsView::openFolderOf(QTableWidget *table, int pathColumn)
{
    if (table->rowCount() == 0)
        return;
    const int row = table->currentRow() >= 0 ? table->currentRow() : 0;
    const QFileInfo info(table->item(row, pathColumn)->text());
    // A checkpoint may be a directory itself; a file opens the folder holding it.
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    if (!QFileInfo::exists(folder)) {
        showError(this, QStringLiteral("Open folder"),
                  QStringLiteral("The folder no longer exists."), folder);
        return;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        showError(this, QStringLiteral("Open folder"),
                  QStringLiteral("No file manager could open the folder."), folder);
}

} // namespace slim::ui
