#include "common/palette.h"

#include <array>

namespace slim::ui::palette {

QColor series(int index)
{
    static constexpr std::array<QRgb, kSeriesCount> kTableau10
        = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
           0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};
    return QColor(kTableau10[std::size_t(((index % kSeriesCount) + kSeriesCount) % kSeriesCount)]);
}

QColor reference()
{
    return QColor(0x80, 0x80, 0x80);
}

QColor emphasis()
{
    return QColor(0x33, 0x33, 0x33);
}

QColor axis()
{
    return QColor(0x70, 0x70, 0x70);
}

QColor grid()
{
    return QColor(0xE4, 0xE4, 0xE4);
}

QColor legendFill()
{
    return QColor(255, 255, 255, 220);
}

QColor legendBorder()
{
    return QColor(0xC8, 0xC8, 0xC8);
}

QColor subTick()
{
    return QColor(0x90, 0x90, 0x90);
}

QColor cursor()
{
    return QColor(0x40, 0x40, 0x40);
}

QColor noData()
{
    return QColor(0xE6, 0xE6, 0xE6);
}

QColor identity()
{
    return QColor(0xC2, 0x3B, 0x22);
}

QColor mutedText()
{
    return QColor(0x5A, 0x5A, 0x5A);
}

QColor error()
{
    return QColor(0xC6, 0x28, 0x28);
}

QColor errorFill()
{
    return QColor(0xFF, 0xCD, 0xD2);
}

QColor warningFill()
{
    return QColor(0xFF, 0xF4, 0xCE);
}

QColor warningBorder()
{
    return QColor(0xE8, 0xC5, 0x60);
}

QColor warningText()
{
    return QColor(0x4D, 0x3B, 0x00);
}

QString textStyle(const QColor &colour)
{
    return QStringLiteral("color: %1;").arg(colour.name());
}

} // namespace slim::ui::palette
