#include "main/welcome_page.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace slim::ui {

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("welcome"));
    auto *title = new QLabel(
        QStringLiteral(
            "<h2>Welcome to SLIM Workbench</h2>"
            "<p>Fine-tune a language model with SLIM and its baselines, and see what fine-tuning "
            "costs: routing, cluster drift and forgetting, live.</p>"
            "<p>The demo fine-tunes the workbench's small base model (shipped with it) with "
            "every method on the built-in tasks and compares them: what each method learns and "
            "what it forgets (22 minutes on two cores, docs/results.md).</p>"),
        this);
    title->setWordWrap(true);
    auto *demo = new QPushButton(QStringLiteral("Run the demo"), this);
    demo->setObjectName(QStringLiteral("runDemoButton"));
    demo->setDefault(true);
    auto *create = new QPushButton(QStringLiteral("New run…"), this);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(demo);
    buttons->addWidget(create);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(buttons);

    connect(demo, &QPushButton::clicked, this, &WelcomePage::demoRequested);
    connect(create, &QPushButton::clicked, this, &WelcomePage::newRunRequested);
}

} // namespace slim::ui
