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

} // namespace slim::ui::palette
