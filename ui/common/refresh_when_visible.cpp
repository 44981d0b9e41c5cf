#include "common/refresh_when_visible.h"

#include <QEvent>
#include <QWidget>

namespace slim::ui {

RefreshWhenVisible::RefreshWhenVisible(QWidget *widget, std::function<void()> refresh,
                                       std::function<void()> onShow)
    : QObject(widget)
    , m_widget(widget)
    , m_refresh(std::move(refresh))
    , m_onShow(onShow ? std::move(onShow) : m_refresh)
{
    widget->installEventFilter(this);
}

void RefreshWhenVisible::request()
{
    if (m_widget->isVisible()) {
        m_pending = false;
        m_refresh();
    } else {
        m_pending = true;
    }
}

bool RefreshWhenVisible::eventFilter(QObject *watched, QEvent *event)
{
    // Show arrives before the first paint, so the caught-up view is what gets painted.
    if (watched == m_widget && event->type() == QEvent::Show && m_pending) {
        m_pending = false;
        m_onShow();
    }
    return QObject::eventFilter(watched, event);
}

} // namespace slim::ui
