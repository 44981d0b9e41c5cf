#pragma once
// Defers a view's redraw while the view is hidden (a background tab of the run view, a closed
// dock): request() runs the redraw now if the widget is visible, otherwise once, when it is
// next shown (`onShow` if given, e.g. an immediate replot where `refresh` queues one, so the
// first frame shown is already current). Live runs feed every tab of an open run view 25 times
// a second; only the tab the user looks at should pay for drawing.
//
// GUI thread only. Owned by (and filters the events of) the widget it watches.

#include <QObject>

#include <functional>

class QWidget;

namespace slim::ui {

class RefreshWhenVisible : public QObject
{
    Q_OBJECT
public:
    RefreshWhenVisible(QWidget *widget, std::function<void()> refresh,
                       std::function<void()> onShow = {});

    void request();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *m_widget;
    std::function<void()> m_refresh;
    std::function<void()> m_onShow;
    bool m_pending = false;
};

} // namespace slim::ui
