"""An independent renderer of held-out documents, drawn the way real ones vary and docgen does not.

bench/docgen draws the documents the reader is tuned on; this module shares none of its layout
code. It draws a fixed set of cases (``CASES``), each a document as such papers really print it:
the two-column licence with its QR code and 副本 subtitle, the sole proprietor's (个体工商户) and
the partnership's licence (执行事务合伙人, 出资额, 主要经营场所, 合伙期限), a branch's (负责人,
营业场所, no capital), contracts that name the parties only 甲方/乙方 or 出租人/承租人 and give
the premises in a table or a numbered clause with dates as 2025.3.1 or 2025-03-01, the food
licence's 社会信用代码（身份证号码） and 法定代表人（负责人）, ID cards with compound surnames and
three-line addresses. Fonts are the CJK ones Debian installs, Droid Sans Fallback among them
(its Latin is drawn in DejaVu, as a printer's font fallback would), at smaller and larger sizes;
photos have a mild perspective, a shadow across part of the page and a lower JPEG quality.

Values are fixed per case (the expected fields are exact); check characters come from
python-stdnum. Every photo comes from its case's own seed, so a case always gives the same image.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont
from stdnum.cn import ric, uscc

BGR = npt.NDArray[np.uint8]

A4 = (1240, 1754)
ID1 = (1012, 638)
A4_CAMERA = (2592, 1944)
CARD_CAMERA = (1920, 1080)

FONTS = {
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "wqy": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "droid": ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
}
LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
INK = (25, 25, 30)
RED = (205, 35, 35)


def fonts_installed() -> bool:
    """Whether every font the cases use is installed."""
    return all(Path(p).is_file() for p, _ in FONTS.values()) and Path(LATIN).is_file()


@cache
def _font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


class Sheet:
    """A page or card being drawn, in one font family; Latin falls back for Droid Sans."""

    def __init__(self, size: tuple[int, int], family: str, paper: tuple[int, int, int]):
        self.image = Image.new("RGB", size, paper)
        self.draw = ImageDraw.Draw(self.image)
        self.family = family

    def _faces(
        self, size: int, bold: bool
    ) -> tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont]:
        name = self.family + ("_bold" if bold and self.family + "_bold" in FONTS else "")
        cjk = _font(*FONTS[name], size)
        # Droid Sans Fallback has no Latin of its own: a printer draws digits in another face.
        latin = _font(LATIN, 0, int(size * 0.92)) if self.family == "droid" else cjk
        return cjk, latin

    def width(self, text: str, size: int, *, bold: bool = False) -> float:
        """How wide ``text`` prints."""
        cjk, latin = self._faces(size, bold)
        return sum((latin if ch.isascii() else cjk).getlength(ch) for ch in text)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        *,
        bold: bool = False,
        fill: tuple[int, int, int] = INK,
        spacing: float = 0.0,
    ) -> float:
        """Draw ``text`` at ``xy`` (``spacing`` adds that many px between characters); its end x."""
        cjk, latin = self._faces(size, bold)
        x, y = xy
        for ch in text:
            face = latin if ch.isascii() else cjk
            dy = size * 0.06 if face is not cjk else 0.0
            self.draw.text((x, y + dy), ch, font=face, fill=fill)
            x += face.getlength(ch) + spacing
        return x

    def wrapped(
        self, xy: tuple[float, float], text: str, size: int, width: float, leading: float
    ) -> float:
        """``text`` wrapped to ``width``; the y under its last line."""
        x, y = xy
        line = ""
        for ch in text:
            if line and self.width(line + ch, size) > width:
                self.text((x, y), line, size)
                y += leading
                line = ch
            else:
                line += ch
        if line:
            self.text((x, y), line, size)
            y += leading
        return y

    def qr(self, x: int, y: int, side: int, seed: int) -> None:
        """A QR-code-like square: three finder patterns and random modules."""
        rng = random.Random(seed)
        n = 29
        cell = side / n
        for r in range(n):
            for c in range(n):
                if rng.random() < 0.5:
                    self.draw.rectangle(
                        (x + c * cell, y + r * cell, x + (c + 1) * cell, y + (r + 1) * cell),
                        fill=(0, 0, 0),
                    )
        for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
            ox, oy = x + fx * cell, y + fy * cell
            self.draw.rectangle((ox, oy, ox + 7 * cell, oy + 7 * cell), fill=(255, 255, 255))
            self.draw.rectangle(
                (ox, oy, ox + 7 * cell, oy + 7 * cell), outline=(0, 0, 0), width=int(cell)
            )
            self.draw.rectangle(
                (ox + 2 * cell, oy + 2 * cell, ox + 5 * cell, oy + 5 * cell), fill=(0, 0, 0)
            )

    def seal(self, cx: int, cy: int, radius: int) -> None:
        """A red round seal with its star, partly over the text as real seals are."""
        self.draw.ellipse(
            (cx - radius, cy - radius, cx + radius, cy + radius), outline=RED, width=7
        )
        star = []
        for k in range(10):
            r = radius * (0.28 if k % 2 == 0 else 0.11)
            a = -np.pi / 2 + k * np.pi / 5
            star.append((cx + r * np.cos(a), cy + r * np.sin(a)))
        self.draw.polygon(star, fill=RED)

    def border(self) -> None:
        """A licence's ornamental border."""
        w, h = self.image.size
        self.draw.rectangle((36, 36, w - 36, h - 36), outline=(170, 120, 50), width=10)
        self.draw.rectangle((60, 60, w - 60, h - 60), outline=(170, 120, 50), width=3)


# -- values --------------------------------------------------------------------------------------


def credit_code(body17: str) -> str:
    """A unified social credit code with its check character (GB 32100)."""
    return body17 + uscc.calc_check_digit(body17)


def id_number(body17: str) -> str:
    """A resident ID number with its check character (GB 11643)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def cn_date(day: dt.date, padded: bool = False) -> str:
    """2025年3月1日 (or 2025年03月01日)."""
    if padded:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    return f"{day.year}年{day.month}月{day.day}日"


# -- photos --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """How a case is photographed."""

    tilt: float = 0.025
    """Perspective: each corner moves up to this share of the page."""
    skew: float = 1.0
    """Turn in degrees, either way."""
    shadow: float = 0.0
    """Depth of a soft shadow over part of the page (a hand, the terminal's hood)."""
    jpeg: int = 80
    blur: float = 0.6
    fill: float = 0.85


def photograph(sheet: Image.Image, photo: Photo, seed: int, *, card: bool) -> BGR:
    """The sheet as the terminal's camera sees it: on a desk, tilted, shaded, compressed."""
    rng = random.Random(seed)
    page = cv2.cvtColor(np.asarray(sheet), cv2.COLOR_RGB2BGR)
    h, w = page.shape[:2]
    frame_w, frame_h = CARD_CAMERA if card else A4_CAMERA
    fill = photo.fill * (0.7 if card else 1.0)
    scale = min(frame_w * fill / w, frame_h * fill / h)
    ow, oh = w * scale, h * scale
    theta = np.deg2rad(rng.uniform(-photo.skew, photo.skew))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    box = np.array([[-ow / 2, -oh / 2], [ow / 2, -oh / 2], [ow / 2, oh / 2], [-ow / 2, oh / 2]])
    box = box @ rot.T
    box += np.array(
        [
            [rng.uniform(-photo.tilt, photo.tilt) * ow, rng.uniform(-photo.tilt, photo.tilt) * oh]
            for _ in range(4)
        ]
    )
    dst = (box + np.array([frame_w / 2, frame_h / 2])).astype(np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    desk = np.full(
        (frame_h, frame_w, 3),
        (rng.randint(50, 90), rng.randint(55, 85), rng.randint(45, 80)),
        np.uint8,
    )
    warped = cv2.warpPerspective(page, matrix, (frame_w, frame_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (frame_w, frame_h))
    image = np.where(mask[..., None] > 127, warped, desk).astype(np.uint8)
    if photo.blur:
        image = cv2.GaussianBlur(image, (0, 0), photo.blur)
    # Light falls off gently across the frame; a shadow's edge is soft but clear. The light is
    # smooth, so it is worked out at a quarter of the size and enlarged.
    small_w, small_h = frame_w // 4, frame_h // 4
    ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32) * 4.0
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs / frame_w + np.sin(angle) * ys / frame_h
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    gain = 1.0 - 0.12 * ramp
    if photo.shadow:
        a2 = rng.uniform(0, 2 * np.pi)
        d = np.cos(a2) * (xs - frame_w / 2) + np.sin(a2) * (ys - frame_h / 2)
        edge = rng.uniform(-0.1, 0.15) * min(frame_w, frame_h)
        gain *= 1.0 - photo.shadow / (1.0 + np.exp(-(d - edge) / 25.0))
    light = cv2.resize(gain.astype(np.float32), (frame_w, frame_h), interpolation=cv2.INTER_LINEAR)
    lit = image.astype(np.float32) * light[..., None]
    noise = np.empty((frame_h, frame_w * 3), np.float32)
    cv2.setRNGSeed(seed)
    cv2.randn(noise, 0.0, 2.5)
    out = np.clip(lit + noise.reshape(lit.shape), 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, photo.jpeg])
    assert ok
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return decoded.astype(np.uint8)


# -- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One held-out document: what it is, what must be read from it, how it is drawn and shot."""

    name: str
    document_type: str
    fields: dict[str, object]
    draw: Callable[[], Image.Image]
    photo: Photo = field(default_factory=Photo)
    seed: int = 0

    def image(self) -> BGR:
        """The photo of this case (same every time)."""
        return photograph(
            self.draw(), self.photo, self.seed, card=self.document_type.startswith("resident_id")
        )


# ID card front ----------------------------------------------------------------------------------


def _id_front(
    family: str,
    name: str,
    gender: str,
    nation: str,
    birth: dt.date,
    address: str,
    number: str,
    size: int,
) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        card = Sheet(ID1, family, (236, 240, 244))
        blue = (45, 95, 160)
        lab = size - 8
        x0, vx = 62, 170
        y = 58
        card.text((x0, y + 6), "姓名", lab, fill=blue)
        card.text((vx, y), name, size + 2, bold=True)
        y += 78
        card.text((x0, y + 6), "性别", lab, fill=blue)
        card.text((vx, y), gender, size)
        card.text((vx + 130, y + 6), "民族", lab, fill=blue)
        card.text((vx + 225, y), nation, size)
        y += 78
        # The card prints the date's parts apart, under fixed columns: 1988  年 7 月 9 日.
        card.text((x0, y + 6), "出生", lab, fill=blue)
        cx = card.text((vx, y), str(birth.year), size)
        cx = card.text((cx + 10, y), "年", lab, fill=blue)
        cx = card.text((cx + 14, y), str(birth.month), size)
        cx = card.text((cx + 10, y), "月", lab, fill=blue)
        cx = card.text((cx + 14, y), str(birth.day), size)
        card.text((cx + 10, y), "日", lab, fill=blue)
        y += 78
        card.text((x0, y + 6), "住址", lab, fill=blue)
        card.wrapped((vx, y), address, size, 430, size + 14)
        y = ID1[1] - 105
        card.text((x0, y + 8), "公民身份号码", lab, fill=blue)
        ox = x0 + card.width("公民身份号码", lab) + 40
        card.draw.text((ox, y), number, font=_font(MONO, 0, size + 4), fill=INK)
        left, top = ID1[0] - 320, 60
        card.draw.rectangle((left, top, left + 250, top + 320), fill=(210, 214, 220))
        card.draw.ellipse((left + 70, top + 45, left + 180, top + 175), fill=(140, 145, 150))
        card.draw.chord(
            (left + 20, top + 190, left + 230, top + 420), 180, 360, fill=(140, 145, 150)
        )
        return card.image

    return draw


def _id_back(family: str, authority: str, period: str) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        card = Sheet(ID1, family, (238, 241, 236))
        card.draw.ellipse((70, 60, 230, 220), fill=(200, 35, 35), outline=(225, 185, 70), width=8)
        card.text((300, 80), "中华人民共和国", 46, bold=True, spacing=6)
        card.text((320, 160), "居民身份证", 66, bold=True, spacing=10)
        y = 420
        card.text((150, y + 4), "签发机关", 26)
        card.text((300, y), authority, 30)
        card.text((150, y + 84), "有效期限", 26)
        card.text((300, y + 80), period, 30)
        return card.image

    return draw


# Business licence --------------------------------------------------------------------------------


def _licence_head(page: Sheet, code: str, seed: int, subtitle: str | None) -> None:
    """Today's licence head: credit code top left, QR top right, letter-spaced title, 副本."""
    page.border()
    page.text((110, 110), "统一社会信用代码", 24)
    page.text((110, 145), code, 26)
    page.qr(A4[0] - 290, 100, 170, seed)
    page.text((A4[0] - 300, 280), "扫描二维码登录国家企业", 15)
    page.text((A4[0] - 300, 300), "信用信息公示系统了解更多", 15)
    x = (A4[0] - page.width("营业执照", 96, bold=True) - 3 * 40) / 2
    page.text((x, 330), "营业执照", 96, bold=True, spacing=40)
    if subtitle:
        page.text(((A4[0] - page.width(subtitle, 30)) / 2, 470), subtitle, 30)


def _labelled(
    page: Sheet, x: float, y: float, label: str, value: str, size: int, lw: float, width: float
) -> float:
    """A label justified to the width of 法定代表人 (名　　　称) and its wrapped value after it."""
    span = page.width("法定代表人", size)
    if len(label) in (2, 3):
        step = (span - size) / (len(label) - 1)
        for i, ch in enumerate(label):
            page.text((x + i * step, y), ch, size)
    else:
        page.text((x, y), label, size)
    lw = max(lw, page.width(label, size) + size)
    return page.wrapped((x + lw, y), value, size, width - lw, size * 1.55) + size * 0.7


def _licence_footer(page: Sheet, authority_date: str) -> None:
    page.text((700, 1480), "登记机关", 28)
    page.seal(900, 1520, 110)
    page.text((780, 1600), authority_date, 28)
    page.text((130, 1650), "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", 18)


def _business_twocol(
    family: str,
    code: str,
    left: list[tuple[str, str]],
    right: list[tuple[str, str]],
    scope: str,
    seed: int,
    size: int = 27,
    subtitle: str | None = "（副　　本）",
) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        page = Sheet(A4, family, (250, 248, 240))
        _licence_head(page, code, seed, subtitle)
        lw = size * 5.4
        col = (A4[0] - 260) / 2
        y_left = y_right = 570.0
        for label, value in left:
            y_left = _labelled(page, 130, y_left, label, value, size, lw, col - 20)
        for label, value in right:
            y_right = _labelled(page, 130 + col + 20, y_right, label, value, size, lw, col - 20)
        y = max(y_left, y_right) + 10
        _labelled(page, 130, y, "经营范围", scope, size, lw, A4[0] - 260)
        _licence_footer(page, "2023年11月8日")
        return page.image

    return draw


def _business_lines(
    family: str, code: str, rows: list[tuple[str, str]], scope: str, seed: int, size: int
) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        page = Sheet(A4, family, (252, 250, 244))
        _licence_head(page, code, seed, "（副本）")
        lw = size * 6.2
        y = 560.0
        for label, value in [*rows, ("经营范围", scope)]:
            y = _labelled(page, 150, y, label, value, size, lw, A4[0] - 300)
        _licence_footer(page, "2021年6月30日")
        return page.image

    return draw


# Lease contract ---------------------------------------------------------------------------------


def _lease_table(
    family: str, lessor: str, lessee: str, address: str, start: str, end: str
) -> Callable[[], Image.Image]:
    """甲方/乙方 only, the premises and term in a ruled table, then clauses and signatures."""

    def draw() -> Image.Image:
        page = Sheet(A4, family, (253, 253, 250))
        size = 26
        page.text(
            ((A4[0] - page.width("房屋租赁合同", 50, bold=True)) / 2, 110),
            "房屋租赁合同",
            50,
            bold=True,
        )
        y = 230.0
        for text in (
            f"甲方：{lessor}",
            f"身份证号码：{id_number('32010219700315201')}",
            f"乙方：{lessee}",
            f"统一社会信用代码：{credit_code('91320102MA1XY7Q2A')}",
        ):
            page.text((140, y), text, size)
            y += size * 1.8
        y += 10
        y = page.wrapped(
            (140 + 2 * size, y),
            "甲乙双方经协商一致，就乙方租用甲方房屋事宜订立本合同，共同遵守。",
            size,
            A4[0] - 280 - 2 * size,
            size * 1.7,
        )
        y += 15
        rows = (
            ("房屋地址", address),
            ("建筑面积", "86.5平方米"),
            ("租赁期限", f"{start} 至 {end}"),
            ("月租金", "人民币5800元"),
        )
        left, split, right = 140, 140 + 190, A4[0] - 140
        page.draw.line((left, y, right, y), fill=INK, width=2)
        for label, value in rows:
            top = y
            page.text((left + 18, y + 14), label, size)
            y = page.wrapped((split + 18, y + 14), value, size, right - split - 36, size * 1.5) + 14
            for xx in (left, split, right):
                page.draw.line((xx, top, xx, y), fill=INK, width=2)
            page.draw.line((left, y, right, y), fill=INK, width=2)
        y += 30
        for clause in (
            "一、租金按季度支付，乙方应于每季度首月十日前支付。",
            "二、乙方不得擅自改变房屋用途，不得转租。",
            "三、本合同一式两份，双方各执一份，签字后生效。",
        ):
            y = page.wrapped((140, y), clause, size, A4[0] - 280, size * 1.7)
        y += 90
        page.text((140, y), "甲方（签字）：", size)
        page.text((700, y), "乙方（盖章）：", size)
        page.text((140, y + 70), "日期：    年  月  日", size)
        page.text((700, y + 70), "日期：    年  月  日", size)
        return page.image

    return draw


def _lease_form(family: str, rows: list[tuple[str, str]]) -> Callable[[], Image.Image]:
    """A filled-in form contract: every item, the parties too, in one ruled table."""

    def draw() -> Image.Image:
        page = Sheet(A4, family, (252, 252, 250))
        size = 25
        title = "房屋租赁合同"
        page.text(((A4[0] - page.width(title, 50, bold=True)) / 2, 120), title, 50, bold=True)
        page.text((A4[0] - 420, 210), "合同编号：ZL-2025-0318", 20)
        y = 270.0
        left, split, right = 130, 130 + 230, A4[0] - 130
        page.draw.line((left, y, right, y), fill=INK, width=2)
        for label, value in rows:
            top = y
            page.text((left + 16, y + 16), label, size)
            y = page.wrapped((split + 16, y + 16), value, size, right - split - 32, size * 1.5) + 16
            for xx in (left, split, right):
                page.draw.line((xx, top, xx, y), fill=INK, width=2)
            page.draw.line((left, y, right, y), fill=INK, width=2)
        y += 40
        y = page.wrapped(
            (130, y),
            "双方确认上述内容真实有效，其余条款按本合同通用条款执行。",
            size,
            A4[0] - 260,
            size * 1.7,
        )
        y += 90
        page.text((130, y), "出租方签字：", size)
        page.text((680, y), "承租方签字：", size)
        return page.image

    return draw


def _lease_prose(
    family: str,
    head: tuple[str, str],
    lessor: str,
    lessee: str,
    clauses: list[str],
    size: int,
    *,
    title: str = "商铺租赁合同",
    sign: tuple[str, str] | None = None,
    signed: bool = False,
    notes: tuple[str, str] = ("", ""),
) -> Callable[[], Image.Image]:
    """Parties on their own lines, the premises and term in numbered clauses, signatures.

    ``sign`` words the signature block (甲方（盖章）); ``signed`` prints the parties' names
    there, as a filled-in contract shows them; ``notes`` follow each party's name (its ID).
    """

    def draw() -> Image.Image:
        page = Sheet(A4, family, (253, 252, 249))
        page.text(((A4[0] - page.width(title, 48, bold=True)) / 2, 110), title, 48, bold=True)
        y = 230.0
        page.text((140, y), f"{head[0]}：{lessor}{notes[0]}", size)
        page.text((140, y + size * 1.8), f"{head[1]}：{lessee}{notes[1]}", size)
        y += size * 4.2
        for clause in clauses:
            y = page.wrapped((140, y), clause, size, A4[0] - 280, size * 1.7) + size * 0.5
        y += 80
        first, second = sign or (f"{head[0]}（签章）", f"{head[1]}（签章）")
        page.text((140, y), f"{first}：{lessor if signed else ''}", size)
        page.text((140, y + size * 2.4), f"{second}：{lessee if signed else ''}", size)
        page.text((140, y + size * 4.8), "签订日期：2025年2月20日", size)
        return page.image

    return draw


# Food business licence ---------------------------------------------------------------------------


def _food_twocol(
    family: str, left: list[tuple[str, str]], right: list[tuple[str, str]], seed: int
) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        page = Sheet(A4, family, (250, 250, 246))
        page.border()
        title = "食品经营许可证"
        page.text(
            ((A4[0] - page.width(title, 72, bold=True) - 6 * 14) / 2, 150),
            title,
            72,
            bold=True,
            spacing=14,
        )
        page.text(((A4[0] - page.width("（副本）", 28)) / 2, 270), "（副本）", 28)
        size = 24
        col = (A4[0] - 260) / 2
        y = 380.0
        for label, value in left:
            page.text((130, y), label, size)
            y = page.wrapped((130, y + size * 1.5), value, size, col - 30, size * 1.5) + size * 0.9
        y = 380.0
        x = 130 + col + 30
        for label, value in right:
            page.text((x, y), f"{label}：", size)
            y = (
                page.wrapped(
                    (x + page.width(f"{label}：", size), y),
                    value,
                    size,
                    col - 40 - page.width(f"{label}：", size),
                    size * 1.5,
                )
                + size * 0.9
            )
        page.qr(int(x), int(y + 20), 180, seed)
        page.text((760, 1500), "发证机关：", 26)
        page.seal(980, 1520, 105)
        page.text((800, 1580), "2024年5月21日", 26)
        return page.image

    return draw


def _food_lines(family: str, rows: list[tuple[str, str]], size: int) -> Callable[[], Image.Image]:
    def draw() -> Image.Image:
        page = Sheet(A4, family, (251, 251, 247))
        page.border()
        title = "食品经营许可证"
        page.text(((A4[0] - page.width(title, 64, bold=True)) / 2, 160), title, 64, bold=True)
        y = 330.0
        lw = page.width("日常监督管理机构：", size) + 10
        for label, value in rows:
            page.text((140, y), f"{label}：", size)
            y = page.wrapped((140 + lw, y), value, size, A4[0] - 280 - lw, size * 1.5) + size * 0.8
        page.seal(950, 1450, 105)
        page.text((800, 1440), "发证机关（章）", size)
        page.text((820, 1520), "2023年1月15日", size)
        return page.image

    return draw


# The cases ----------------------------------------------------------------------------------------

_BL1 = credit_code("91450103MA5P3K7X2")
_BL2 = credit_code("92330106MA2H8QW3N")
_BL3 = credit_code("91440300MA5G2RKL8")
_BL4 = credit_code("91510107MA6CU4WT1")
_BL5 = credit_code("91610113MA6TX5L09")
_IDF4 = id_number("15250119681001302")
_FD3 = credit_code("92440305MA5F7K2P3")
_IDF5 = id_number("65310119790815213")
_BL6 = credit_code("91320594MA1MXR4T6")
_FD1 = credit_code("91320102MA1Q8N6B4")
_FD2 = credit_code("92370102MA3T5R9K7")


def _cases() -> list[Case]:
    idf1 = id_number("45010319880709513")
    idf2 = id_number("15012119750321004")
    idf3 = id_number("65010220010214153")
    return [
        Case(
            "id_front_compound_surname_three_line_address",
            "resident_id_front",
            {
                "name": "欧阳晓晨",
                "gender": "男",
                "ethnicity": "壮",
                "birth_date": "1988-07-09",
                "address": "广西壮族自治区南宁市青秀区民族大道136号华润万象城二期5栋1单元1902号",
                "id_number": idf1,
            },
            _id_front(
                "sans",
                "欧阳晓晨",
                "男",
                "壮",
                dt.date(1988, 7, 9),
                "广西壮族自治区南宁市青秀区民族大道136号华润万象城二期5栋1单元1902号",
                idf1,
                30,
            ),
            Photo(tilt=0.03, shadow=0.3),
            seed=11,
        ),
        Case(
            "id_front_two_character_name_serif",
            "resident_id_front",
            {
                "name": "王芳",
                "gender": "女",
                "ethnicity": "蒙古",
                "birth_date": "1975-03-21",
                "address": "内蒙古呼和浩特市新城区锡林郭勒北路18号",
                "id_number": idf2,
            },
            _id_front(
                "serif",
                "王芳",
                "女",
                "蒙古",
                dt.date(1975, 3, 21),
                "内蒙古呼和浩特市新城区锡林郭勒北路18号",
                idf2,
                32,
            ),
            Photo(tilt=0.02, jpeg=70),
            seed=12,
        ),
        Case(
            "id_front_droid_four_character_name",
            "resident_id_front",
            {
                "name": "司马明轩",
                "gender": "男",
                "ethnicity": "维吾尔",
                "birth_date": "2001-02-14",
                "address": "新疆乌鲁木齐市沙依巴克区友好南路668号3栋2单元501室",
                "id_number": idf3,
            },
            _id_front(
                "droid",
                "司马明轩",
                "男",
                "维吾尔",
                dt.date(2001, 2, 14),
                "新疆乌鲁木齐市沙依巴克区友好南路668号3栋2单元501室",
                idf3,
                28,
            ),
            Photo(tilt=0.035, shadow=0.25, jpeg=75),
            seed=13,
        ),
        Case(
            "id_back_long_term_county",
            "resident_id_back",
            {
                "issuing_authority": "阳朔县公安局",
                "valid_from": "2012-08-20",
                "valid_to": "long-term",
            },
            _id_back("wqy", "阳朔县公安局", "2012.08.20-长期"),
            Photo(tilt=0.03, shadow=0.3),
            seed=14,
        ),
        Case(
            "id_back_district_serif",
            "resident_id_back",
            {
                "issuing_authority": "重庆市公安局渝北区分局",
                "valid_from": "2019-11-05",
                "valid_to": "2039-11-05",
            },
            _id_back("serif", "重庆市公安局渝北区分局", "2019.11.05-2039.11.05"),
            Photo(tilt=0.02, jpeg=70),
            seed=15,
        ),
        Case(
            "business_licence_two_columns_qr_upper_capital",
            "business_license",
            {
                "uscc": _BL1,
                "name": "南宁市青秀区恒通电子科技有限公司",
                "company_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": "覃志勇",
                "registered_capital": 1_000_000,
                "established_date": "2015-03-01",
                "address": "南宁市青秀区民族大道100号东盟商务区2号楼1205室",
                "term_from": "2015-03-01",
                "term_to": "long-term",
            },
            _business_twocol(
                "serif",
                _BL1,
                [
                    ("名称", "南宁市青秀区恒通电子科技有限公司"),
                    ("类型", "有限责任公司（自然人投资或控股）"),
                    ("法定代表人", "覃志勇"),
                ],
                [
                    ("注册资本", "壹佰万元整"),
                    ("成立日期", "2015年03月01日"),
                    ("营业期限", "2015年03月01日至长期"),
                    ("住所", "南宁市青秀区民族大道100号东盟商务区2号楼1205室"),
                ],
                "电子产品销售；软件开发；信息系统集成服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
                seed=21,
            ),
            Photo(tilt=0.02, shadow=0.25),
            seed=21,
        ),
        Case(
            "business_licence_sole_proprietor",
            "business_license",
            {
                "uscc": _BL2,
                "name": "杭州市西湖区李记小吃店",
                "company_type": "个体工商户",
                "legal_representative": "李秀英",
                "established_date": "2019-06-18",
                "address": "浙江省杭州市西湖区文二路218号一楼",
            },
            _business_twocol(
                "wqy",
                _BL2,
                [
                    ("名称", "杭州市西湖区李记小吃店"),
                    ("类型", "个体工商户"),
                    ("经营者", "李秀英"),
                ],
                [
                    ("组成形式", "个人经营"),
                    ("注册日期", "2019年06月18日"),
                    ("经营场所", "浙江省杭州市西湖区文二路218号一楼"),
                ],
                "小餐饮；食品销售（仅销售预包装食品）。",
                seed=22,
                subtitle=None,
            ),
            Photo(tilt=0.025, jpeg=72),
            seed=22,
        ),
        Case(
            "business_licence_partnership",
            "business_license",
            {
                "uscc": _BL3,
                "name": "深圳前海博远投资合伙企业（有限合伙）",
                "company_type": "有限合伙企业",
                "legal_representative": "陈建华",
                "registered_capital": 1_000_000,
                "established_date": "2018-06-12",
                "address": "深圳市前海深港合作区南山街道桂湾五路128号前海深港基金小镇B7栋301",
                "term_from": "2018-06-12",
                "term_to": "2038-06-11",
            },
            _business_lines(
                "sans",
                _BL3,
                [
                    ("名称", "深圳前海博远投资合伙企业（有限合伙）"),
                    ("类型", "有限合伙企业"),
                    ("执行事务合伙人", "陈建华"),
                    ("出资额", "人民币100.0000万元"),
                    ("成立日期", "2018-06-12"),
                    ("合伙期限", "2018-06-12至2038-06-11"),
                    (
                        "主要经营场所",
                        "深圳市前海深港合作区南山街道桂湾五路128号前海深港基金小镇B7栋301",
                    ),
                ],
                "一般经营项目是：以自有资金从事投资活动；企业管理咨询。",
                seed=23,
                size=25,
            ),
            Photo(tilt=0.03, shadow=0.2),
            seed=23,
        ),
        Case(
            "business_licence_branch_droid_large",
            "business_license",
            {
                "uscc": _BL4,
                "name": "成都蜀味餐饮管理有限公司武侯分公司",
                "company_type": "有限责任公司分公司（自然人投资或控股）",
                "legal_representative": "杨丽",
                "established_date": "2020-09-01",
                "address": "四川省成都市武侯区科华北路65号附1号",
                "term_from": "2020-09-01",
                "term_to": "long-term",
            },
            _business_lines(
                "droid",
                _BL4,
                [
                    ("名称", "成都蜀味餐饮管理有限公司武侯分公司"),
                    ("类型", "有限责任公司分公司（自然人投资或控股）"),
                    ("负责人", "杨丽"),
                    ("成立日期", "2020年9月1日"),
                    ("营业期限", "2020年9月1日至长期"),
                    ("营业场所", "四川省成都市武侯区科华北路65号附1号"),
                ],
                "餐饮服务；食品销售。",
                seed=24,
                size=32,
            ),
            Photo(tilt=0.02, jpeg=75),
            seed=24,
        ),
        Case(
            "lease_jia_yi_only_table_dotted_dates",
            "lease_contract",
            {
                "lessor": "周建国",
                "lessee": "南京鑫源商贸有限公司",
                "address": "南京市玄武区中山路168号1层104室",
                "start_date": "2025-03-01",
                "end_date": "2028-02-28",
            },
            _lease_table(
                "sans",
                "周建国",
                "南京鑫源商贸有限公司",
                "南京市玄武区中山路168号1层104室",
                "2025.3.1",
                "2028.2.28",
            ),
            Photo(tilt=0.025, shadow=0.25),
            seed=31,
        ),
        Case(
            "lease_lessor_lessee_numbered_clause_serif",
            "lease_contract",
            {
                "lessor": "武汉江城置业有限公司",
                "lessee": "刘洋",
                "address": "武汉市武昌区中南路7号中商广场B座1楼",
                "start_date": "2025-03-01",
                "end_date": "2030-02-28",
            },
            _lease_prose(
                "serif",
                ("出租人", "承租人"),
                "武汉江城置业有限公司",
                "刘洋",
                [
                    "一、出租人将位于武汉市武昌区中南路7号中商广场B座1楼的商铺出租给承租人作经营使用，建筑面积120平方米。",
                    "二、租赁期限为五年，自2025年3月1日起至2030年2月28日止。",
                    "三、月租金为人民币15000元，按月支付。",
                    "四、租赁期满，承租人需继续承租的，应提前三个月书面通知出租人。",
                ],
                26,
            ),
            Photo(tilt=0.02, jpeg=72),
            seed=32,
        ),
        Case(
            "lease_parties_iso_dates_droid",
            "lease_contract",
            {
                "lessor": "西安雁塔物业管理有限公司",
                "lessee": "赵海燕",
                "address": "西安市雁塔区小寨东路91号",
                "start_date": "2024-09-15",
                "end_date": "2029-09-14",
            },
            _lease_prose(
                "droid",
                ("出租方", "承租方"),
                "西安雁塔物业管理有限公司",
                "赵海燕",
                [
                    "第一条 出租方将坐落在西安市雁塔区小寨东路91号的门面房出租给承租方。",
                    "第二条 租赁期自2024-09-15起至2029-09-14止，共五年。",
                    "第三条 租金每年人民币72000元，于每年9月15日前付清。",
                ],
                28,
            ),
            Photo(tilt=0.03, shadow=0.3),
            seed=33,
        ),
        Case(
            "food_licence_two_columns_id_or_code",
            "food_business_license",
            {
                "licence_number": "JY13201020123456",
                "operator_name": "南京益民餐饮管理有限公司",
                "uscc": _FD1,
                "legal_representative": "孙立新",
                "address": "南京市玄武区长江路288号",
                "valid_to": "2029-05-20",
            },
            _food_twocol(
                "serif",
                [
                    ("经营者名称", "南京益民餐饮管理有限公司"),
                    ("社会信用代码（身份证号码）", _FD1),
                    ("法定代表人（负责人）", "孙立新"),
                    ("住所", "南京市玄武区长江路288号"),
                    ("经营场所", "南京市玄武区长江路288号"),
                    ("主体业态", "餐饮服务经营者（中型餐馆）"),
                    ("经营项目", "热食类食品制售；冷食类食品制售"),
                ],
                [
                    ("许可证编号", "JY13201020123456"),
                    ("日常监督管理机构", "玄武区市场监督管理局"),
                    ("日常监督管理人员", "王强"),
                    ("投诉举报电话", "12315"),
                    ("签发人", "张伟"),
                    ("有效期至", "2029年05月20日"),
                ],
                seed=41,
            ),
            Photo(tilt=0.02, shadow=0.2),
            seed=41,
        ),
        Case(
            "food_licence_lines_small_type",
            "food_business_license",
            {
                "licence_number": "JY23701020076543",
                "operator_name": "济南市历下区聚福便利店",
                "uscc": _FD2,
                "legal_representative": "郭敏",
                "address": "山东省济南市历下区泉城路180号",
                "valid_to": "2030-01-14",
            },
            _food_lines(
                "wqy",
                [
                    ("经营者名称", "济南市历下区聚福便利店"),
                    ("统一社会信用代码", _FD2),
                    ("负责人", "郭敏"),
                    ("经营场所", "山东省济南市历下区泉城路180号"),
                    ("主体业态", "食品销售经营者（便利店）"),
                    ("经营项目", "预包装食品销售（不含冷藏冷冻食品）"),
                    ("许可证编号", "JY23701020076543"),
                    ("日常监督管理机构", "历下区市场监督管理局"),
                    ("有效期至", "2030-01-14"),
                ],
                22,
            ),
            Photo(tilt=0.02, jpeg=70),
            seed=42,
        ),
        Case(
            "lease_hereinafter_party_a_signed_block",
            "lease_contract",
            {
                "lessor": "杭州安泰物业管理有限公司",
                "lessee": "吴晓东",
                "address": "杭州市西湖区文三路90号东部软件园3号楼102室",
                "start_date": "2025-03-01",
                "end_date": "2026-02-28",
            },
            _lease_prose(
                "wqy",
                ("出租方（以下简称甲方）", "承租方（以下简称乙方）"),
                "杭州安泰物业管理有限公司",
                "吴晓东",
                [
                    "根据《中华人民共和国民法典》的规定，甲乙双方经友好协商，订立本合同。",
                    "第一条 房屋坐落于：杭州市西湖区文三路90号东部软件园3号楼102室，"
                    "建筑面积45平方米。",
                    "第二条 租赁期限自2025年3月1日至2026年2月28日。",
                    "第三条 年租金人民币60000元，押金10000元。",
                ],
                26,
                title="房屋租赁合同",
                sign=("甲方（盖章）", "乙方（签字）"),
                signed=True,
            ),
            Photo(tilt=0.03, shadow=0.35, jpeg=70),
            seed=34,
        ),
        Case(
            "lease_dates_in_chinese_numerals",
            "lease_contract",
            {
                "lessor": "黄丽",
                "lessee": "成都天成文化传媒有限公司",
                "address": "成都市武侯区武侯祠大街264号",
                "start_date": "2025-03-01",
                "end_date": "2028-02-28",
            },
            _lease_prose(
                "sans",
                ("出租人", "承租人"),
                "黄丽",
                "成都天成文化传媒有限公司",
                [
                    "一、出租人将其所有的位于成都市武侯区武侯祠大街264号的门面出租给承租人使用。",
                    "二、租赁期限三年，自二〇二五年三月一日起至二〇二八年二月二十八日止。",
                    "三、租金每月人民币捌仟元整。",
                ],
                27,
            ),
            Photo(tilt=0.045, shadow=0.2),
            seed=35,
        ),
        Case(
            "business_licence_single_column_upper_capital_serif",
            "business_license",
            {
                "uscc": _BL5,
                "name": "西安盛世建筑装饰工程有限公司",
                "company_type": "有限责任公司（自然人独资）",
                "legal_representative": "段俊峰",
                "registered_capital": 5_000_000,
                "established_date": "2016-05-10",
                "address": "陕西省西安市雁塔区科技路48号创业广场B座1603室",
                "term_from": "2016-05-10",
                "term_to": "2046-05-09",
            },
            _business_lines(
                "serif",
                _BL5,
                [
                    ("名称", "西安盛世建筑装饰工程有限公司"),
                    ("类型", "有限责任公司（自然人独资）"),
                    ("住所", "陕西省西安市雁塔区科技路48号创业广场B座1603室"),
                    ("法定代表人", "段俊峰"),
                    ("注册资本", "人民币伍佰万元整"),
                    ("成立日期", "2016年05月10日"),
                    ("营业期限", "2016年05月10日至2046年05月09日"),
                ],
                "住宅室内装饰装修；建筑装饰材料销售；园林绿化工程施工。",
                seed=25,
                size=29,
            ),
            Photo(tilt=0.04, shadow=0.4),
            seed=25,
        ),
        Case(
            "id_front_five_character_name_strong_tilt",
            "resident_id_front",
            {
                "name": "乌兰其其格",
                "gender": "女",
                "ethnicity": "蒙古",
                "birth_date": "1968-10-01",
                "address": "内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路宝力根街道3委12号",
                "id_number": _IDF4,
            },
            _id_front(
                "wqy",
                "乌兰其其格",
                "女",
                "蒙古",
                dt.date(1968, 10, 1),
                "内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路宝力根街道3委12号",
                _IDF4,
                30,
            ),
            Photo(tilt=0.05, shadow=0.35, jpeg=70),
            seed=16,
        ),
        Case(
            "lease_form_table_start_end_row",
            "lease_contract",
            {
                "lessor": "济南恒达置业有限公司",
                "lessee": "邵明",
                "address": "山东省济南市历下区经十路17703号华特广场F112",
                "start_date": "2025-04-01",
                "end_date": "2028-03-31",
            },
            _lease_form(
                "serif",
                [
                    ("出租方", "济南恒达置业有限公司"),
                    ("承租方", "邵明"),
                    ("承租方身份证号", id_number("37010219850612413")),
                    ("房屋坐落", "山东省济南市历下区经十路17703号华特广场F112"),
                    ("房屋用途", "商业经营"),
                    ("租赁起止日期", "2025年04月01日至2028年03月31日"),
                    ("租金及支付方式", "每月人民币9500元，按季度支付"),
                ],
            ),
            Photo(tilt=0.025, shadow=0.2, jpeg=75),
            seed=36,
        ),
        Case(
            "lease_parties_with_their_numbers_in_brackets",
            "lease_contract",
            {
                "lessor": "韦建华",
                "lessee": "南宁博雅文化传媒有限公司",
                "address": "南宁市青秀区东葛路118号青秀万达广场西区2栋108号",
                "start_date": "2025-06-01",
                "end_date": "2027-05-31",
            },
            _lease_prose(
                "sans",
                ("出租方（甲方）", "承租方（乙方）"),
                "韦建华",
                "南宁博雅文化传媒有限公司",
                [
                    "甲方将坐落于南宁市青秀区东葛路118号青秀万达广场西区2栋108号的商铺租给乙方作办公使用。",
                    "租赁期限：2025年6月1日起至2027年5月31日止。",
                    "租金：每月人民币6500元，押二付一。",
                ],
                25,
                title="房屋租赁合同",
                sign=("甲方（签字）", "乙方（盖章）"),
                notes=(
                    f"（身份证号码：{id_number('45010319720405301')}）",
                    f"（统一社会信用代码：{credit_code('91450103MA5L2QW7B')}）",
                ),
            ),
            Photo(tilt=0.02, shadow=0.3, jpeg=72),
            seed=37,
        ),
        Case(
            "lease_form_name_cells_and_a_term_row",
            "lease_contract",
            {
                "lessor": "冯秀兰",
                "lessee": "上海瑞丰商贸有限公司",
                "address": "上海市浦东新区张杨路500号时代广场2层208室",
                "start_date": "2025-07-01",
                "end_date": "2030-06-30",
            },
            _lease_form(
                "wqy",
                [
                    ("出租人姓名", "冯秀兰"),
                    ("承租人名称", "上海瑞丰商贸有限公司"),
                    ("房屋坐落地址", "上海市浦东新区张杨路500号时代广场2层208室"),
                    ("租赁期限", "2025-07-01至2030-06-30"),
                    ("月租金", "人民币18000元"),
                ],
            ),
            Photo(tilt=0.03, jpeg=70),
            seed=38,
        ),
        Case(
            "food_licence_validity_as_a_range",
            "food_business_license",
            {
                "licence_number": "JY14401050098765",
                "operator_name": "深圳市南山区远航饮品店",
                "uscc": _FD3,
                "legal_representative": "钟雪梅",
                "address": "广东省深圳市南山区南头街道南山大道2046号",
                "valid_to": "2029-08-15",
            },
            _food_lines(
                "serif",
                [
                    ("许可证编号", "JY14401050098765"),
                    ("经营者名称", "深圳市南山区远航饮品店"),
                    ("社会信用代码", _FD3),
                    ("负责人", "钟雪梅"),
                    ("经营场所", "广东省深圳市南山区南头街道南山大道2046号"),
                    ("主体业态", "餐饮服务经营者（饮品店）"),
                    ("经营项目", "自制饮品制售"),
                    ("有效期限", "2024年8月16日至2029年8月15日"),
                ],
                26,
            ),
            Photo(tilt=0.03, shadow=0.25, jpeg=75),
            seed=43,
        ),
        Case(
            "id_front_uyghur_name_with_middle_dot",
            "resident_id_front",
            {
                "name": "阿卜杜热合曼·买买提明",
                "gender": "男",
                "ethnicity": "维吾尔",
                "birth_date": "1979-08-15",
                "address": "新疆喀什市人民东路街道团结路145号",
                "id_number": _IDF5,
            },
            _id_front(
                "sans",
                "阿卜杜热合曼·买买提明",
                "男",
                "维吾尔",
                dt.date(1979, 8, 15),
                "新疆喀什市人民东路街道团结路145号",
                _IDF5,
                30,
            ),
            Photo(tilt=0.025, jpeg=75),
            seed=17,
        ),
        Case(
            "lease_party_a_first_and_premises_named_after_address",
            "lease_contract",
            {
                "lessor": "北京华信物业管理有限公司",
                "lessee": "贺子涵",
                "address": "北京市海淀区学府路26号院3号楼1层101",
                "start_date": "2025-10-01",
                "end_date": "2027-09-30",
            },
            _lease_prose(
                "serif",
                ("甲方（出租人）", "乙方（承租人）"),
                "北京华信物业管理有限公司",
                "贺子涵",
                [
                    "第一条 甲方将位于北京市海淀区学府路26号院3号楼1层101（以下简称该房屋）"
                    "出租给乙方作为经营场所使用。",
                    "第二条 租赁期限自2025年10月1日起至2027年9月30日止。",
                    "第三条 该房屋月租金为人民币7200元。",
                ],
                26,
                title="房屋租赁合同",
                sign=("甲方（盖章）", "乙方（签字）"),
            ),
            Photo(tilt=0.03, shadow=0.2, jpeg=72),
            seed=39,
        ),
        Case(
            "business_licence_foreign_invested_capital_in_dollars",
            "business_license",
            {
                "uscc": _BL6,
                "name": "苏州金桥精密机械有限公司",
                "company_type": "有限责任公司（外国法人独资）",
                "legal_representative": "陈志强",
                "established_date": "2012-04-26",
                "address": "苏州工业园区星湖街328号创意产业园12栋",
                "term_from": "2012-04-26",
                "term_to": "2062-04-25",
            },
            _business_twocol(
                "wqy",
                _BL6,
                [
                    ("名称", "苏州金桥精密机械有限公司"),
                    ("类型", "有限责任公司（外国法人独资）"),
                    ("法定代表人", "陈志强"),
                ],
                [
                    ("注册资本", "500万美元"),
                    ("成立日期", "2012年04月26日"),
                    ("营业期限", "2012年04月26日至2062年04月25日"),
                    ("住所", "苏州工业园区星湖街328号创意产业园12栋"),
                ],
                "精密机械零部件的研发、生产，销售本公司所生产的产品并提供售后服务。",
                seed=26,
            ),
            Photo(tilt=0.025, shadow=0.2, jpeg=75),
            seed=26,
        ),
    ]


CASES = _cases()
"""The held-out set."""
