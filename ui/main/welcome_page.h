#pragma once
// The welcome shown above the empty Runs table: what the workbench is for, and the two ways to
// begin (run the demo, or a new run). It only asks; the main window decides when it is shown
// and what the buttons do.
//
// Thread affinity: GUI thread. Object names for tests: "welcome", "runDemoButton".

#include <QWidget>

namespace slim::ui {

class WelcomePage : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

Q_SIGNALS:
    void demoRequested();
    void newRunRequested();
};

} // namespace slim::ui
