// slim-workbench: the desktop application. This file only wires the services and the window.
#include "job_manager.h"
#include "jobs/workbench_paths.h"
#include "main/main_window.h"
#include "metric_stream.h"
#include "run_catalog.h"
#include "common/allocator_tuning.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>

#include <cstdio>
#include <cstdlib>

namespace {

// Without a display QApplication aborts; say what to do instead.
bool haveDisplay()
{
    const auto has = [](const char *name) {
        const char *value = std::getenv(name);
        return value && *value;
    };
    return has("DISPLAY") || has("WAYLAND_DISPLAY") || has("QT_QPA_PLATFORM");
}

// Queues the run spec in `file` (as the New run form would); says why not on stderr.
bool queueSpecFile(slim::services::JobManager &jobs, const QString &file)
{
    QFile spec(file);
    if (!spec.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "slim-workbench: cannot read %s: %s\n", qPrintable(file),
                     qPrintable(spec.errorString()));
        return false;
    }
    QString error;
    if (jobs.submitRun(QString::fromUtf8(spec.readAll()), {}, std::nullopt,
                       slim::services::JobManager::Placement::Last, &error) == 0) {
        std::fprintf(stderr, "slim-workbench: %s:\n%s\n", qPrintable(file), qPrintable(error));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (!haveDisplay()) {
        std::fprintf(stderr,
                     "slim-workbench: no display (DISPLAY is not set). On a machine without a "
                     "screen, run the same demo headless with `slimctl demo`, or start the "
                     "window under `xvfb-run`.\n");
        return 2;
    }
    slim::common::keepFreedMemoryInTheHeap();

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SLIM Workbench"));
    QApplication::setApplicationName(QStringLiteral("slim-workbench"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train, watch and compare SLIM and its baselines"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption database(QStringLiteral("db"),
                                QStringLiteral("Run database (default: ~/.local/share/"
                                               "slim-workbench/runs.sqlite)"),
                                QStringLiteral("path"));
    QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Queue the demo at start"));
    QCommandLineOption run(QStringLiteral("run"),
                           QStringLiteral("Queue the run spec in <file> at start (repeatable)"),
                           QStringLiteral("file"));
    parser.addOption(database);
    parser.addOption(demo);
    parser.addOption(run);
    parser.process(app);

    const auto paths = slim::jobs::WorkbenchPaths::resolve(parser.value(database).toStdString());
    slim::services::MetricStream stream;
    slim::services::JobManager jobs(paths, &stream);
    slim::services::RunCatalog catalog(QString::fromStdString(paths.database.string()));
    slim::ui::MainWindow window(&catalog, &jobs, &stream);
    window.show();
    if (parser.isSet(demo))
        window.runDemo();
    for (const auto &file : parser.values(run)) {
        if (!queueSpecFile(jobs, file))
            return 2;
    }
    return app.exec();
}
