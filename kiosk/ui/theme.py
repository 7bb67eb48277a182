"""The terminal's look: one stylesheet, sized for 1080p touch screens read at arm's length.

Body text is 26 px on a 1080-line screen (about 19 pt on a 21.5-inch panel, above the 适老化 18 pt
floor); touch targets are at least 96 px high with 24 px between them; every colour pair here has
a contrast ratio of at least 4.5:1 (primary white on #0B4DA2 is 8.3:1, text #1A1F2B on #F4F6FA is
15:1, the warning text #7A2E00 on #FFF1E0 is 9.6:1).
"""

from __future__ import annotations

FONT_FAMILIES = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans", sans-serif'

PRIMARY = "#0B4DA2"
PRIMARY_DARK = "#083A7A"
INK = "#1A1F2B"
MUTED = "#3D4656"
PAPER = "#F4F6FA"
CARD = "#FFFFFF"
OK = "#0A6B3A"
BAD = "#A1261D"
WARN_BG = "#FFF1E0"
WARN_INK = "#7A2E00"


ELDER_SCALE = 1.5
"""Elder mode (长辈版): every size half again as large (body text 39 px, about 29 pt on a
21.5-inch panel), as the 适老化 guidance asks of a mode for older users."""

BOX_SCALE = 1.2
"""How much elder mode enlarges heights, padding and radii (type grows by ``ELDER_SCALE``)."""

SCROLL_HANDLE = "#5E6B80"
"""4.5:1 on the groove (#E6EAF0): the handle is a boundary a finger has to find (3:1 needed)."""
DISABLED_FILL = "#5C6B85"
"""A disabled primary button: grey, yet white text on it still reads at 5.4:1."""
DISABLED_EDGE = "#767F8E"
"""A disabled button's border: 3.7:1 on the paper (#F4F6FA), so a finger still finds its edge
(3:1 needed; the old #9AA3B2 was 2.35:1), yet plainly grey beside the blue of one that works."""


def stylesheet(scale: float = 1.0) -> str:
    """The application stylesheet; ``scale`` enlarges everything (elder mode, big panels)."""

    def px(value: float) -> str:
        return f"{round(value * scale)}px"

    # Type grows by the whole scale; boxes (heights, padding, radii) by at most BOX_SCALE: the
    # targets are already twice the 60 px floor, and elder screens need the room for the type.
    box_scale = min(scale, BOX_SCALE)

    def box(value: float) -> str:
        return f"{round(value * box_scale)}px"

    return f"""
* {{ font-family: {FONT_FAMILIES}; color: {INK}; }}
QMainWindow, QWidget#root {{ background: {PAPER}; }}
QWidget#header {{ background: {PRIMARY}; }}
QWidget#header QLabel {{ color: white; font-size: {px(26)}; }}
QLabel#headerTitle {{ font-size: {px(32)}; font-weight: bold; }}
QPushButton#headerButton {{
    color: white; background: {PRIMARY_DARK}; border: 2px solid white; border-radius: {box(12)};
    font-size: {px(26)}; min-height: {box(72)}; padding: 0 {px(28)};
}}
QPushButton#headerButton:pressed {{ background: #052a59; }}
QLabel {{ font-size: {px(26)}; }}
QLabel#title {{ font-size: {px(48)}; font-weight: bold; }}
QLabel#titleEn {{ font-size: {px(28)}; color: {MUTED}; }}
QLabel#subtitle {{ font-size: {px(30)}; color: {MUTED}; }}
QLabel#sectionTitle {{ font-size: {px(30)}; font-weight: bold; color: {PRIMARY_DARK}; }}
QLabel#body {{ font-size: {px(26)}; }}
QLabel#bigNumber {{ font-size: {px(44)}; font-weight: bold; color: {PRIMARY_DARK}; }}
QLabel#outcomeOk {{ font-size: {px(60)}; font-weight: bold; color: {OK}; }}
QLabel#outcomeBad {{ font-size: {px(60)}; font-weight: bold; color: {BAD}; }}
QLabel#outcomeInfo {{ font-size: {px(60)}; font-weight: bold; color: {PRIMARY_DARK}; }}
QLabel#error {{
    font-size: {px(28)}; color: {WARN_INK}; background: {WARN_BG};
    border-radius: {box(12)}; padding: {box(18)};
}}
QLabel#notice {{
    font-size: {px(28)}; color: {OK}; background: #E3F4EA;
    border-radius: {box(12)}; padding: {box(18)};
}}
QFrame#card {{ background: {CARD}; border-radius: {box(20)}; border: 1px solid #D5DBE5; }}
QPushButton {{
    font-size: {px(30)}; min-height: {box(96)}; border-radius: {box(16)};
    padding: 0 {box(36)}; background: {CARD}; border: 3px solid {PRIMARY};
    color: {PRIMARY_DARK};
}}
QPushButton:pressed {{ background: #DDE7F7; }}
QPushButton:disabled {{ color: #6B7280; border-color: {DISABLED_EDGE}; }}
QPushButton#primary {{ background: {PRIMARY}; color: white; border: none; font-weight: bold; }}
QPushButton#primary:pressed {{ background: {PRIMARY_DARK}; }}
QPushButton#primary:disabled {{ background: {DISABLED_FILL}; color: white; }}
QPushButton#itemButton {{
    text-align: left; padding: 0; min-height: {box(150)}; background: {CARD};
}}
QLabel#itemButtonLabel {{
    font-size: {px(34)}; font-weight: bold; color: {PRIMARY_DARK}; background: transparent;
}}
QProgressBar {{
    border: 2px solid {PRIMARY}; border-radius: {box(12)}; background: white;
    min-height: {box(36)}; text-align: center; font-size: {px(22)};
}}
QProgressBar::chunk {{ background: {PRIMARY}; border-radius: {box(10)}; }}
QWidget#overlay {{ background: rgba(10, 20, 40, 190); }}
QFrame#dialog {{ background: {CARD}; border-radius: {box(24)}; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollBar:vertical {{ width: {box(60)}; background: #E6EAF0; border-radius: {box(30)}; }}
QScrollBar::handle:vertical {{
    background: {SCROLL_HANDLE}; border-radius: {box(30)}; min-height: {box(96)};
}}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
QPushButton#rateLevel {{ text-align: left; padding: 0 {box(36)}; min-height: {box(110)}; }}
QPushButton#rateReason {{ text-align: left; padding: 0 {box(36)}; }}
QPushButton#rateReason:checked {{ background: {PRIMARY}; color: white; }}
QPushButton#elderEntry {{ font-size: {px(34)}; font-weight: bold; min-height: {box(110)}; }}
QWidget#simPanel QPushButton {{ font-size: 14px; min-height: 32px; padding: 0 8px; }}
QWidget#simPanel QLabel {{ font-size: 14px; }}
"""
