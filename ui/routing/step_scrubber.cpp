#include "step_scrubber.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QStyle>
#include <QTimer>

#include <algorithm>

namespace slim::ui {

namespace {
constexpr int kPlayIntervalMs = 250; // ~4 recorded steps per second
}

StepScrubber::StepScrubber(QWidget *parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_label(new QLabel(this))
    , m_play(new QPushButton(this))
    , m_follow(new QCheckBox(QStringLiteral("Follow latest"), this))
    , m_timer(new QTimer(this))
{
    m_slider->setObjectName(QStringLiteral("stepSlider"));
    m_slider->setRange(0, 0);
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::NoTicks);
    m_slider->setMinimumWidth(160);
    m_slider->setToolTip(QStringLiteral("Recorded step (arrow keys step one report at a time)"));
    m_label->setObjectName(QStringLiteral("stepLabel"));
    // Wide enough for "Step 1000000 (1000/1000)", so the slider does not jump while playing.
    m_label->setMinimumWidth(
        m_label->fontMetrics().horizontalAdvance(QStringLiteral("Step 0000000 (0000/0000)")));
    m_play->setObjectName(QStringLiteral("playButton"));
    m_play->setCheckable(true);
    m_play->setToolTip(QStringLiteral("Step through the recorded steps"));
    m_follow->setObjectName(QStringLiteral("followLatest"));
    m_follow->setChecked(true);
    m_follow->setToolTip(QStringLiteral("While the run is live, show each new step as it arrives"));
    m_timer->setInterval(kPlayIntervalMs);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_play);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_label);
    layout->addWidget(m_follow);

    connect(m_slider, &QSlider::valueChanged, this, [this] {
        showLabel();
        if (!m_updating && !m_steps.empty())
            Q_EMIT currentStepChanged(m_steps[std::size_t(m_slider->value())]);
    });
    connect(m_play, &QPushButton::toggled, this, [this](bool on) { on ? play() : pause(); });
    connect(m_timer, &QTimer::timeout, this, &StepScrubber::advance);
    pause();
    showLabel();
}

void StepScrubber::setSteps(std::vector<std::int64_t> steps, bool toLatest)
{
    const auto previous = currentStep();
    m_steps = std::move(steps);
    int index = int(m_steps.size()) - 1;
    if (previous && !toLatest && !followsLatest()) {
        const auto it = std::upper_bound(m_steps.begin(), m_steps.end(), *previous);
        index = std::max(0, int(it - m_steps.begin()) - 1);
    }
    m_updating = true;
    m_slider->setRange(0, std::max(0, int(m_steps.size()) - 1));
    m_slider->setValue(std::max(0, index));
    m_slider->setEnabled(m_steps.size() > 1);
    m_play->setEnabled(m_steps.size() > 1);
    m_updating = false;
    showLabel();
}

std::optional<std::int64_t> StepScrubber::currentStep() const
{
    if (m_steps.empty())
        return std::nullopt;
    return m_steps[std::size_t(std::clamp(m_slider->value(), 0, int(m_steps.size()) - 1))];
}

bool StepScrubber::followsLatest() const
{
    return m_follow->isChecked();
}

bool StepScrubber::isPlaying() const
{
    return m_timer->isActive();
}

void StepScrubber::play()
{
    if (m_steps.size() < 2) {
        pause();
        return;
    }
    if (m_slider->value() >= m_slider->maximum())
        m_slider->setValue(0); // Play at the end starts over
    m_timer->start();
    const QSignalBlocker block(m_play);
    m_play->setChecked(true);
    m_play->setText(QStringLiteral("Pause"));
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
}

void StepScrubber::pause()
{
    m_timer->stop();
    const QSignalBlocker block(m_play);
    m_play->setChecked(false);
    m_play->setText(QStringLiteral("Play"));
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
}

void StepScrubber::advance()
{
    if (m_slider->value() < m_slider->maximum())
        m_slider->setValue(m_slider->value() + 1);
    if (m_slider->value() >= m_slider->maximum())
        pause(); // no looping: the last step is where a run ends
}

void StepScrubber::showLabel()
{
    const auto step = currentStep();
    m_label->setText(step ? QStringLiteral("Step %1 (%2/%3)")
                                .arg(*step)
                                .arg(m_slider->value() + 1)
                                .arg(m_steps.size())
                          : QStringLiteral("No steps"));
}

} // namespace slim::ui
