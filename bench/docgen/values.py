"""Field values for generated documents: names, addresses, ID numbers, USCCs, dates, money.

Valid ID numbers and USCCs carry the right check character (GB 11643, GB 32100, computed by
python-stdnum); ``wrong_check`` swaps it for another character of the same alphabet.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

REFERENCE_DATE = dt.date(2026, 11, 1)
""""Today" for the generated set: valid documents stay valid at least five years after it and
expired ones ran out at least a year before it, so the set keeps its meaning as time passes."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强文斌玉兰海燕红"
    "梅晓东俊峰雪梅淑珍德明春生立新家豪子涵雨萱浩然思远欣怡佳琪宇航一鸣"
)
ETHNICITIES = ("汉",) * 12 + ("回", "满", "蒙古", "壮", "藏", "维吾尔", "苗", "土家", "朝鲜", "彝")

REGIONS = (
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌分局"),
    ("320102", "江苏省南京市玄武区", "南京市公安局玄武分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("370102", "山东省济南市历下区", "济南市公安局历下区分局"),
)
STREETS = (
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "和平街",
    "长江路",
    "文化路",
    "新华路",
    "光明街",
    "朝阳大街",
    "科技园路",
    "学府路",
)
VILLAGES = ("幸福小区", "阳光花园", "锦绣家园", "翠湖苑", "金色家园", "丽景湾")

TRADE_NAMES = (
    "华信",
    "鑫源",
    "恒达",
    "远航",
    "瑞丰",
    "金桥",
    "宏图",
    "天成",
    "博雅",
    "益民",
    "新禾",
    "安泰",
    "盛世",
    "聚福",
)
INDUSTRIES = (
    ("科技", "软件开发；信息技术咨询服务；计算机系统服务"),
    ("商贸", "日用百货销售；五金产品零售；服装服饰零售"),
    ("餐饮管理", "餐饮服务；食品销售；餐饮管理"),
    ("建筑装饰工程", "住宅室内装饰装修；建筑装饰材料销售"),
    ("物业管理", "物业管理；停车场服务；家政服务"),
    ("文化传媒", "组织文化艺术交流活动；广告设计、代理；会议及展览服务"),
)
COMPANY_TYPES = (
    "有限责任公司（自然人投资或控股）",
    "有限责任公司（自然人独资）",
    "有限责任公司（法人独资）",
    "股份有限公司（非上市、自然人投资或控股）",
    "其他有限责任公司",
)
FOOD_FORMATS = (
    "食品销售经营者（便利店）",
    "餐饮服务经营者（小型餐馆）",
    "餐饮服务经营者（饮品店）",
)
FOOD_ITEMS = (
    "预包装食品（含冷藏冷冻食品）销售；散装食品销售",
    "热食类食品制售；冷食类食品制售",
    "自制饮品制售",
)

DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"


def person_name(rng: random.Random) -> str:
    """A Chinese personal name of two or three characters."""
    given = rng.choice([1, 2, 2])
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given))


def other_name(rng: random.Random, name: str) -> str:
    """A different personal name (for documents that must not match the applicant)."""
    while True:
        candidate = person_name(rng)
        if candidate != name and candidate[0] != name[0]:
            return candidate


def street_address(rng: random.Random, region: str) -> str:
    """A full address in ``region``."""
    street = rng.choice(STREETS)
    number = rng.randint(1, 399)
    if rng.random() < 0.5:
        return f"{region}{street}{number}号"
    building = f"{rng.choice(VILLAGES)}{rng.randint(1, 30)}号楼"
    return f"{region}{street}{number}号{building}{rng.randint(1, 6)}单元{rng.randint(101, 2405)}室"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day between ``start`` and ``end`` inclusive."""
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def id_number(rng: random.Random, region_code: str, birth: dt.date, gender: str) -> str:
    """A resident ID number with the right check character; the 17th digit odd for 男."""
    last = rng.choice("13579") if gender == "男" else rng.choice("02468")
    body = f"{region_code}{birth:%Y%m%d}{rng.randint(0, 99):02d}{last}"
    # stdnum drops the last character before computing: hand it a placeholder.
    return body + ric.calc_check_digit(body + "0")


def wrong_check(number: str, alphabet: str) -> str:
    """``number`` with its last character replaced by another of ``alphabet``."""
    last = number[-1]
    wrong = [char for char in alphabet if char != last]
    # Deterministic from the number itself, so the same document always gets the same error.
    return number[:-1] + wrong[sum(map(ord, number)) % len(wrong)]


ID_CHECK_ALPHABET = "0123456789X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_code(rng: random.Random, region_code: str, kind: str = "91") -> str:
    """A unified social credit code with the right check character."""
    body = (
        kind
        + region_code
        + "".join(rng.choice(USCC_ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def capital(rng: random.Random) -> tuple[int, str]:
    """Registered capital: whole yuan and how a licence prints it."""
    wan = rng.choice([3, 10, 50, 100, 200, 300, 500, 1000, 2000])
    styles = (
        f"{wan}万元人民币",
        f"人民币{wan}万元",
        f"{wan}万元",
        f"人民币{upper_number(wan)}万元整",
    )
    return wan * 10000, rng.choice(styles)


def upper_number(value: int) -> str:
    """``value`` (1..9999) in the capital numerals financial papers use (壹佰 for 100)."""
    units = ("", "拾", "佰", "仟")
    digits = str(value)
    out = ""
    zero = False
    for place, char in enumerate(digits):
        unit = units[len(digits) - place - 1]
        if char == "0":
            zero = True
            continue
        if zero and out:
            out += "零"
        zero = False
        out += DIGITS_UPPER[int(char)] + unit
    return out


def company_name(rng: random.Random, city: str) -> tuple[str, str]:
    """A company name and its business scope."""
    trade = rng.choice(TRADE_NAMES)
    industry, scope = rng.choice(INDUSTRIES)
    return f"{city}{trade}{industry}有限公司", scope


def city_of(region: str) -> str:
    """The city part of a region name ("广东省深圳市南山区" -> "深圳")."""
    if "省" in region:
        region = region.split("省", 1)[1]
    return region.split("市", 1)[0]


def format_date(day: dt.date, style: int) -> str:
    """A date as documents print it."""
    if style == 0:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 1:
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if style == 2:
        return f"{day:%Y-%m-%d}"
    return f"{day:%Y.%m.%d}"


def licence_number(rng: random.Random, region_code: str) -> str:
    """A food business licence number: JY, a category digit, the region, seven digits."""
    return f"JY{rng.choice('123')}{region_code}{rng.randint(0, 999999):06d}{rng.randint(0, 9)}"
