#pragma once
// The step control of the Routing and Clusters tabs: a slider over the recorded steps (not over
// every optimizer step: a run may report routing every 50 steps), the step it shows, Play/Pause
// (about four recorded steps a second, stopping at the last), and "Follow latest" for live runs.
//
// GUI thread only. Child widgets are owned through Qt parenting.

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace slim::ui {

class StepScrubber : public QWidget
{
    Q_OBJECT
public:
    explicit StepScrubber(QWidget *parent = nullptr);

    // Replaces the steps (ascending, unique). The selection stays on the same step when it still
    // exists (else the nearest earlier one); it moves to the last step when `toLatest` is set or
    // "Follow latest" is checked. Does not emit currentStepChanged: the caller redraws anyway.
    void setSteps(std::vector<std::int64_t> steps, bool toLatest = false);
    const std::vector<std::int64_t> &steps() const { return m_steps; }
    std::optional<std::int64_t> currentStep() const;

    bool followsLatest() const;
    bool isPlaying() const;
    void play();
    void pause();

Q_SIGNALS:
    // The user (slider, keys) or playback selected another step.
    void currentStepChanged(std::int64_t step);

private:
    void showLabel();
    void advance();

    QSlider *m_slider;
    QLabel *m_label;
    QPushButton *m_play;
    QCheckBox *m_follow;
    QTimer *m_timer;
    std::vector<std::int64_t> m_steps;
    bool m_updating = false;
};

} // namespace slim::ui
