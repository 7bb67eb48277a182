"""Drawing the documents: ID cards at ID-1 proportions, licences and contracts on A4.

Layouts vary the way real papers do: fonts (whatever CJK fonts Debian installed), field orders,
"label: value" lines, two-column tables, labels above values, two side-by-side columns, and prose
for contracts. Pages are drawn flat and upright; ``camera`` photographs them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench.docgen.documents import Spec

A4 = (1240, 1754)
"""A4 at 150 dpi."""
ID1 = (1012, 638)
"""85.6 x 54 mm at about 300 dpi."""

# Droid Sans Fallback is left out: it has no Latin digits, so ID numbers would print as boxes.
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
)
BOLD_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
)

INK = (20, 20, 24)


def available_fonts() -> list[tuple[str, int]]:
    """The CJK font files installed here, as (path, face index)."""
    fonts = [font for font in FONT_CANDIDATES if Path(font[0]).is_file()]
    if not fonts:
        raise RuntimeError("no CJK font found: install fonts-noto-cjk or fonts-wqy-microhei")
    return fonts


@cache
def font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A loaded font (cached: loading a .ttc costs milliseconds)."""
    return ImageFont.truetype(path, size, index=index)


@dataclass
class Style:
    """The look picked for one document."""

    face: tuple[str, int]
    bold: tuple[str, int]
    size: int

    def font(self, size: int | None = None, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The body (or bold) font at ``size``."""
        path, index = self.bold if bold else self.face
        return font(path, index, size or self.size)


def pick_style(rng: random.Random, size: int) -> Style:
    """A random font and size near ``size``."""
    fonts = available_fonts()
    face = rng.choice(fonts)
    bolds = [b for b in BOLD_CANDIDATES if Path(b[0]).is_file()] or [face]
    return Style(face, rng.choice(bolds), size + rng.randint(-2, 3))


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and face.getlength(current + char) > width:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def spaced(label: str, rng: random.Random) -> str:
    """A two-character label sometimes letter-spaced as licences print them (名　　称)."""
    if len(label) == 2 and rng.random() < 0.4:
        return label[0] + "\u3000\u3000" + label[1]
    return label


# -- ID card --------------------------------------------------------------------------------------


def _card_background(rng: random.Random) -> Image.Image:
    tint = (rng.randint(228, 242), rng.randint(234, 246), rng.randint(238, 250))
    card = Image.new("RGB", ID1, tint)
    draw = ImageDraw.Draw(card)
    # The guilloche-like pattern of a real card, faint enough to leave the print readable.
    for y in range(0, ID1[1], 9):
        draw.line(
            [(0, y), (ID1[0], y + rng.randint(-4, 4))], fill=(tint[0] - 8, tint[1] - 6, tint[2] - 3)
        )
    return card


def draw_id_front(spec: Spec, rng: random.Random) -> Image.Image:
    """The portrait side of a resident ID card."""
    card = _card_background(rng)
    draw = ImageDraw.Draw(card)
    style = pick_style(rng, 34)
    label_color = (40, 90, 150)
    label = style.font(style.size - 6)
    value = style.font(style.size)
    x0 = 60 + rng.randint(-12, 12)
    y0 = 60 + rng.randint(-10, 10)
    gap = 80 + rng.randint(-4, 4)
    value_x = x0 + 95
    p = spec.printed
    draw.text((x0, y0 + 6), "姓名", font=label, fill=label_color)
    draw.text((value_x, y0), p["name"], font=value, fill=INK)
    y = y0 + gap
    draw.text((x0, y + 6), "性别", font=label, fill=label_color)
    draw.text((value_x, y), p["gender"], font=value, fill=INK)
    draw.text((value_x + 130, y + 6), "民族", font=label, fill=label_color)
    draw.text((value_x + 225, y), p["ethnicity"], font=value, fill=INK)
    y += gap
    draw.text((x0, y + 6), "出生", font=label, fill=label_color)
    draw.text((value_x, y), p["birth_date"], font=value, fill=INK)
    y += gap
    draw.text((x0, y + 6), "住址", font=label, fill=label_color)
    for line in wrap(p["address"], value, 520):
        draw.text((value_x, y), line, font=value, fill=INK)
        y += style.size + 12
    y = ID1[1] - 100 + rng.randint(-6, 6)
    draw.text((x0, y + 6), "公民身份号码", font=label, fill=label_color)
    digits = style.font(style.size + 2)
    draw.text((x0 + 190, y), p["id_number"], font=digits, fill=INK)
    # The portrait: a grey silhouette where the photo is printed.
    left, top = ID1[0] - 330, 70
    draw.rectangle((left, top, left + 260, top + 320), fill=(205, 210, 215))
    draw.ellipse((left + 75, top + 50, left + 185, top + 180), fill=(150, 155, 160))
    draw.ellipse((left + 30, top + 190, left + 230, top + 420), fill=(150, 155, 160))
    draw.rectangle((left, top + 320, left + 260, top + 430), fill=card.getpixel((5, 5)))
    return card


def draw_id_back(spec: Spec, rng: random.Random) -> Image.Image:
    """The emblem side of a resident ID card."""
    card = _card_background(rng)
    draw = ImageDraw.Draw(card)
    style = pick_style(rng, 30)
    # The national emblem: a red disc with a gold ring, where the real card prints it.
    cx, cy = 150, 150
    draw.ellipse(
        (cx - 90, cy - 90, cx + 90, cy + 90), fill=(200, 30, 30), outline=(230, 190, 60), width=8
    )
    title = style.font(44, bold=True)
    draw.text((310, 90), "中华人民共和国", font=title, fill=INK)
    draw.text((330, 170), "居民身份证", font=style.font(64, bold=True), fill=INK)
    label = style.font(style.size - 4)
    value = style.font(style.size)
    x0 = 150 + rng.randint(-15, 15)
    y = 420 + rng.randint(-10, 10)
    draw.text((x0, y + 4), "签发机关", font=label, fill=INK)
    draw.text((x0 + 150, y), spec.printed["issuing_authority"], font=value, fill=INK)
    y += 80
    draw.text((x0, y + 4), "有效期限", font=label, fill=INK)
    draw.text((x0 + 150, y), spec.printed["period"], font=value, fill=INK)
    return card


# -- A4 documents ---------------------------------------------------------------------------------


class Page:
    """An A4 page being filled from the top."""

    def __init__(self, rng: random.Random, style: Style, margin: int = 120) -> None:
        self.rng = rng
        self.style = style
        self.image = Image.new("RGB", A4, (252, 251, 247))
        self.draw = ImageDraw.Draw(self.image)
        self.margin = margin + rng.randint(-15, 15)
        self.y = 120 + rng.randint(-15, 25)

    @property
    def width(self) -> int:
        """Usable width between the margins."""
        return A4[0] - 2 * self.margin

    def title(self, text: str, size: int = 72, sub: str | None = None) -> None:
        """A centred title, with an optional line under it."""
        face = self.style.font(size, bold=True)
        # Licence titles are letter-spaced; contracts' are not.
        width = face.getlength(text)
        self.draw.text(((A4[0] - width) / 2, self.y), text, font=face, fill=INK)
        self.y += int(size * 1.5)
        if sub:
            small = self.style.font(self.style.size)
            width = small.getlength(sub)
            self.draw.text(((A4[0] - width) / 2, self.y), sub, font=small, fill=INK)
            self.y += int(self.style.size * 2)

    def text(
        self, text: str, *, x: int | None = None, width: int | None = None, indent: int = 0
    ) -> None:
        """A paragraph, wrapped."""
        face = self.style.font()
        x = self.margin if x is None else x
        width = width or (A4[0] - self.margin - x)
        first = True
        for line in wrap(text, face, width - (indent if first else 0)):
            self.draw.text((x + (indent if first else 0), self.y), line, font=face, fill=INK)
            self.y += int(self.style.size * 1.7)
            first = False

    def label_value(self, label: str, value: str, *, label_width: int, sep: str = "：") -> None:
        """``label：value`` with the value wrapped under itself."""
        face = self.style.font()
        self.draw.text((self.margin, self.y), label + sep, font=face, fill=INK)
        x = self.margin + label_width
        for line in wrap(value, face, A4[0] - self.margin - x):
            self.draw.text((x, self.y), line, font=face, fill=INK)
            self.y += int(self.style.size * 1.6)
        self.y += int(self.style.size * 0.6)

    def table(self, rows: list[tuple[str, str]], label_width: int) -> None:
        """A two-column ruled table: label cells and value cells."""
        face = self.style.font()
        line_h = int(self.style.size * 1.5)
        left = self.margin
        right = A4[0] - self.margin
        split = left + label_width
        self.draw.line([(left, self.y), (right, self.y)], fill=INK, width=2)
        for label, value in rows:
            lines = wrap(value, face, right - split - 30)
            height = max(1, len(lines)) * line_h + 24
            self.draw.text((left + 15, self.y + 12), label, font=face, fill=INK)
            for i, line in enumerate(lines):
                self.draw.text((split + 15, self.y + 12 + i * line_h), line, font=face, fill=INK)
            self.draw.line([(left, self.y), (left, self.y + height)], fill=INK, width=2)
            self.draw.line([(split, self.y), (split, self.y + height)], fill=INK, width=2)
            self.draw.line([(right, self.y), (right, self.y + height)], fill=INK, width=2)
            self.y += height
            self.draw.line([(left, self.y), (right, self.y)], fill=INK, width=2)
        self.y += line_h

    def stacked(self, rows: list[tuple[str, str]]) -> None:
        """Each label in small grey type with its value below it."""
        small = self.style.font(self.style.size - 6)
        face = self.style.font()
        for label, value in rows:
            self.draw.text((self.margin, self.y), label, font=small, fill=(95, 95, 100))
            self.y += int(self.style.size * 1.3)
            for line in wrap(value, face, self.width):
                self.draw.text((self.margin + 20, self.y), line, font=face, fill=INK)
                self.y += int(self.style.size * 1.5)
            self.y += int(self.style.size * 0.7)

    def columns(
        self, left: list[tuple[str, str]], right: list[tuple[str, str]], label_width: int
    ) -> None:
        """Two side-by-side columns of ``label value`` pairs (the layout of today's licences)."""
        face = self.style.font()
        line_h = int(self.style.size * 1.55)
        column = (self.width - 40) // 2
        top = self.y
        bottoms = []
        for index, rows in enumerate((left, right)):
            x = self.margin + index * (column + 40)
            y = top
            for label, value in rows:
                self.draw.text((x, y), label, font=face, fill=INK)
                for line in wrap(value, face, column - label_width):
                    self.draw.text((x + label_width, y), line, font=face, fill=INK)
                    y += line_h
                y += int(self.style.size * 0.9)
            bottoms.append(y)
        self.y = max(bottoms) + line_h

    def stamp(self, text: str, date: str) -> None:
        """The issuer's name and date at the bottom right, under a red seal."""
        face = self.style.font()
        x = A4[0] - self.margin - int(face.getlength(text)) - 10
        y = max(self.y + 40, A4[1] - 330)
        cx, cy = x + int(face.getlength(text)) // 2, y + 40
        self.draw.ellipse((cx - 120, cy - 120, cx + 120, cy + 120), outline=(210, 40, 40), width=6)
        self.draw.text((x, y), text, font=face, fill=INK)
        self.draw.text((x + 30, y + int(self.style.size * 1.8)), date, font=face, fill=INK)

    def frame(self) -> None:
        """The decorative double border of a licence."""
        self.draw.rectangle((40, 40, A4[0] - 40, A4[1] - 40), outline=(150, 110, 40), width=6)
        self.draw.rectangle((58, 58, A4[0] - 58, A4[1] - 58), outline=(150, 110, 40), width=2)


def draw_business_license(spec: Spec, rng: random.Random) -> Image.Image:
    """A business licence in one of four layouts, fields in a varied order."""
    page = Page(rng, pick_style(rng, 30), margin=130)
    page.frame()
    p = spec.printed
    layout = rng.choice(("lines", "table", "stacked", "columns"))
    page.title("营业执照", 84, sub=rng.choice(("（副　本）", "（正　本）", None)))
    code_line = (
        f"统一社会信用代码：{p['uscc']}" if rng.random() < 0.6 else f"统一社会信用代码 {p['uscc']}"
    )
    page.text(code_line)
    page.y += 30
    rows = [
        ("名称", p["name"]),
        ("类型", p["company_type"]),
        ("法定代表人", p["legal_representative"]),
        ("注册资本", p["registered_capital"]),
        ("成立日期", p["established_date"]),
        ("住所", p["address"]),
    ]
    if "term" in p:
        rows.append(("营业期限", p["term"]))
    head, tail = rows[:3], rows[3:]
    rng.shuffle(tail)
    if rng.random() < 0.3:
        rng.shuffle(head)
    rows = head + tail
    scope = ("经营范围", p["business_scope"])
    label_width = int(page.style.font().getlength("法定代表人：")) + 20
    if layout == "lines":
        for label, value in [*rows, scope]:
            page.label_value(spaced(label, rng), value, label_width=label_width)
    elif layout == "table":
        page.table([*rows, scope], label_width)
    elif layout == "stacked":
        page.stacked([*rows, scope])
    else:
        half = (len(rows) + 1) // 2
        page.columns([*rows[:half]], [*rows[half:]], label_width)
        page.label_value("经营范围", p["business_scope"], label_width=label_width)
    page.stamp(
        f"登记机关：{p['authority'][-9:]}" if rng.random() < 0.3 else p["authority"], p["issued"]
    )
    return page.image


def draw_food_license(spec: Spec, rng: random.Random) -> Image.Image:
    """A food business licence (食品经营许可证)."""
    page = Page(rng, pick_style(rng, 30), margin=130)
    page.frame()
    p = spec.printed
    page.title("食品经营许可证", 76)
    rows = [
        ("经营者名称", p["operator_name"]),
        ("社会信用代码", p["uscc"]),
        ("法定代表人", p["legal_representative"]),
        ("住所", p["address"]),
        ("经营场所", p["address"]),
        ("主体业态", p["format"]),
        ("经营项目", p["items"]),
    ]
    tail = rows[3:]
    rng.shuffle(tail)
    rows = rows[:3] + tail
    side = [
        ("许可证编号", p["licence_number"]),
        ("日常监督管理机构", p["supervisor"]),
        ("有效期至", p["valid_to"]),
    ]
    label_width = int(page.style.font().getlength("日常监督管理机构：")) + 10
    layout = rng.choice(("lines", "table", "split"))
    if layout == "lines":
        for label, value in [*rows, *side]:
            page.label_value(label, value, label_width=label_width)
    elif layout == "table":
        page.table([*rows, *side], label_width)
    else:
        page.text(f"许可证编号：{p['licence_number']}")
        page.y += 20
        for label, value in rows:
            page.label_value(label, value, label_width=label_width)
        page.label_value("日常监督管理机构", p["supervisor"], label_width=label_width)
        page.label_value("有效期至", p["valid_to"], label_width=label_width)
    page.text(f"签发人：{p['issuer']}")
    page.stamp(f"发证机关：{p['authority']}" if rng.random() < 0.3 else p["authority"], p["issued"])
    return page.image


def draw_lease(spec: Spec, rng: random.Random) -> Image.Image:
    """A lease contract: the parties' lines, then clauses in prose."""
    page = Page(rng, pick_style(rng, 28), margin=140)
    p = spec.printed
    page.title(rng.choice(("房屋租赁合同", "房屋租赁合同", "商铺租赁合同")), 60)
    page.text(f"出租方（甲方）：{p['lessor']}")
    page.text(f"承租方（乙方）：{p['lessee']}")
    page.y += 20
    page.text(
        "根据《中华人民共和国民法典》及有关规定，甲乙双方在平等、自愿、协商一致的基础上，"
        "就乙方承租甲方房屋一事订立本合同。",
        indent=56,
    )
    form = rng.choice(("labelled", "prose"))
    if form == "labelled":
        page.text(f"第一条 房屋坐落：{p['address']}")
        page.text(f"建筑面积：{p['area']}平方米，用途：商业经营。", indent=0)
        page.text(f"第二条 租赁期限：自{p['start_date']}起至{p['end_date']}止。")
    else:
        page.text(
            f"第一条 甲方将坐落于{p['address']}的房屋出租给乙方使用，建筑面积{p['area']}平方米。"
        )
        page.text(
            f"第二条 租赁期限自{p['start_date']}起至{p['end_date']}止，"
            "期满后乙方如需续租，应提前一个月书面通知甲方。"
        )
    page.text(f"第三条 月租金为人民币{p['rent']}元，按季度支付，乙方于每季度首月五日前付清。")
    page.text("第四条 乙方应合理使用房屋，不得擅自改变房屋结构和用途。")
    page.text("第五条 本合同一式两份，甲乙双方各执一份，自双方签字（盖章）之日起生效。")
    page.y += 80
    face = page.style.font()
    page.draw.text((page.margin, page.y), "甲方（签章）：", font=face, fill=INK)
    page.draw.text((A4[0] // 2 + 40, page.y), "乙方（签字）：", font=face, fill=INK)
    page.y += 70
    page.draw.text((page.margin, page.y), f"签订日期：{p['signed']}", font=face, fill=INK)
    return page.image


DRAWERS = {
    "resident_id_front": draw_id_front,
    "resident_id_back": draw_id_back,
    "business_license": draw_business_license,
    "lease_contract": draw_lease,
    "food_business_license": draw_food_license,
}


def draw(spec: Spec, rng: random.Random) -> Image.Image:
    """The flat, upright document for ``spec``."""
    return DRAWERS[spec.document_type](spec, rng)
