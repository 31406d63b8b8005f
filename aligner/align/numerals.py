"""Numbers and dates in English and Chinese text, as comparable values.

1999 = 一九九九, 40 million = 4000万 = 四千万, twenty-one = 二十一, fourteenth = 第十四,
January = 一月. Values are strings ("1999", "40000000", "month:1") so they can be keys.
The values 0 and 1 are left out: "a"/"one"/一 are articles and idioms far more often than
counts, and would pair sentences by chance.
"""

from __future__ import annotations

import re

_ZH_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
             "陆": 6, "柒": 7, "捌": 8, "玖": 9, "幺": 1}
_ZH_SMALL_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_ZH_BIG_UNIT = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_ZH_NUM_CHARS = "".join(_ZH_DIGIT) + "".join(_ZH_SMALL_UNIT) + "".join(_ZH_BIG_UNIT)
# A Chinese number: digits and units, or Arabic digits followed by a big unit (3万, 4.5亿).
_ZH_NUMBER = re.compile(
    rf"(?:\d+(?:[.,]\d+)*[{''.join(_ZH_BIG_UNIT)}]*|[{_ZH_NUM_CHARS}]+)(?:点[{''.join(_ZH_DIGIT)}]+)?")
# Words in which a numeral character is not a number (一样 "alike", 万一 "in case").
_ZH_NOT_NUMBERS = re.compile(
    "一样|一起|一直|一定|一些|一切|一般|一下|一点|一会|一边|一旦|一时|统一|唯一|万一|一向|一度|一再|一致"
    "|一同|一面|一阵|之一|一心|一口气|(?<![一二两三四五六七八九十百])千万(?![人元年个])|万分|十分(?!钟)"
    "|百姓|万物|三心二意|七上八下|乱七八糟|一团糟|万岁|千里|两者|一番|一道|一路|一齐|一概|一律|不一"
    "|专一|一经|一旁")
_ZH_MONTH = re.compile(r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})月")


def _zh_int(s: str) -> int | None:
    """二十一 -> 21, 一九九九 -> 1999, 四千万 -> 40000000, 两百 -> 200."""
    if not s:
        return None
    if all(c in _ZH_DIGIT for c in s):
        # Digit by digit: years and codes (一九九九), or a single digit.
        v = 0
        for c in s:
            v = v * 10 + _ZH_DIGIT[c]
        return v
    total = 0  # completed 亿/万 groups
    section = 0  # the current group below 万
    digit = None
    for c in s:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        elif c in _ZH_SMALL_UNIT:
            section += (1 if digit is None else digit) * _ZH_SMALL_UNIT[c]
            digit = None
        elif c in _ZH_BIG_UNIT:
            unit = _ZH_BIG_UNIT[c]
            section += digit or 0
            digit = None
            if unit > 10_000 or total == 0 or total >= unit:
                total = (total + section) * unit if unit > 10_000 else total + section * unit
            else:
                total = (total + section) * unit
            section = 0
        else:
            return None
    return total + section + (digit or 0)


def _fmt(v: float) -> str | None:
    if v != v or v < 0:  # NaN or negative
        return None
    if float(v).is_integer():
        iv = int(v)
        return None if iv in (0, 1) else str(iv)
    return f"{v:g}"


#: Any character a Chinese number or month starts with (most sentences have none: no regex runs)
_ZH_ANY = re.compile(rf"[\d{_ZH_NUM_CHARS}]")


def zh_numbers(text: str) -> list[str]:
    """Number values in a Chinese text, in order."""
    out: list[str] = []
    if not _ZH_ANY.search(text):
        return out
    masked = _ZH_NOT_NUMBERS.sub(lambda m: "□" * len(m.group(0)), text)
    for m in _ZH_MONTH.finditer(masked):
        v = _zh_int(m.group(1)) if not m.group(1).isdigit() else int(m.group(1))
        if v and 1 <= v <= 12:
            out.append(f"month:{v}")
    for m in _ZH_NUMBER.finditer(masked):
        tok = m.group(0)
        value: float | None
        if tok[0].isdigit():
            num = re.match(r"\d+(?:[.,]\d+)*", tok).group(0)
            try:
                value = float(num.replace(",", "")) if num.count(".") <= 1 else None
            except ValueError:
                value = None
            if value is None:
                continue
            for c in tok[len(num):]:
                value *= _ZH_BIG_UNIT[c]
        else:
            int_part, _, frac = tok.partition("点")
            iv = _zh_int(int_part)
            if iv is None:
                continue
            value = float(iv)
            if frac:
                value = float(f"{iv}.{''.join(str(_ZH_DIGIT[c]) for c in frac)}")
        s = _fmt(value)
        if s is not None:
            out.append(s)
    return out


_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
              "trillion": 10**12}
_EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
                "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
                "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
                "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
                "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
                "hundredth": 100, "thousandth": 1000}
_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november "
    "december".split())}
_EN_NUMBER_WORDS = set(_EN_UNITS) | set(_EN_TENS) | set(_EN_SCALES) | set(_EN_ORDINALS) | {"dozen"}
_EN_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?|[A-Za-z]+")


def en_numbers(text: str) -> list[str]:
    """Number values in an English text, in order: digits, number words, ordinals, months."""
    out: list[str] = []
    toks = _EN_TOKEN.findall(text.replace("-", " "))
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        lt = t.lower()
        if t[0].isdigit():
            num = re.sub(r"(st|nd|rd|th)$", "", t).replace(",", "")
            try:
                value = float(num)
            except ValueError:
                i += 1
                continue
            # "40 million"
            if i + 1 < n and toks[i + 1].lower() in _EN_SCALES:
                value *= _EN_SCALES[toks[i + 1].lower()]
                i += 1
            s = _fmt(value)
            if s:
                out.append(s)
            i += 1
            continue
        if lt in _EN_MONTHS and (lt not in ("may", "march") or t[0].isupper()):
            if lt != "may" or (i > 0 and (toks[i - 1].isdigit() or (i + 1 < n and toks[i + 1][0].isdigit()))):
                out.append(f"month:{_EN_MONTHS[lt]}")
            i += 1
            continue
        if lt in _EN_NUMBER_WORDS:
            total = 0
            current = 0
            j = i
            seen = False
            while j < n:
                w = toks[j].lower()
                if w in _EN_UNITS:
                    current += _EN_UNITS[w]
                elif w in _EN_TENS:
                    current += _EN_TENS[w]
                elif w in _EN_ORDINALS:
                    current += _EN_ORDINALS[w] if _EN_ORDINALS[w] < 100 else 0
                    if _EN_ORDINALS[w] >= 100:
                        current = max(current, 1) * _EN_ORDINALS[w]
                    j += 1
                    seen = True
                    break
                elif w == "dozen":
                    current = max(current, 1) * 12
                elif w in _EN_SCALES:
                    scale = _EN_SCALES[w]
                    if scale == 100:
                        current = max(current, 1) * 100
                    else:
                        total += max(current, 1) * scale
                        current = 0
                elif w == "and" and seen and j + 1 < n and toks[j + 1].lower() in _EN_NUMBER_WORDS:
                    pass
                else:
                    break
                seen = True
                j += 1
            s = _fmt(float(total + current))
            if s:
                out.append(s)
            i = max(j, i + 1)
            continue
        i += 1
    return out
