"""Money is integer fen (分) everywhere (DESIGN §4). This module only formats it.

`capital_amount` writes the amount in Chinese capitals as the People's Bank of China rules for
cheques and vouchers (《支付结算办法》附一) require:
- a zero inside the number is written 零, a run of zeros only once;
- 整 follows an amount that ends at 元; nothing follows 分;
- when 元 is followed by 角/分 and the 元 digit or the 角 digit is zero, 零 is written after 元
  (¥1,680.32 → …捌拾元零叁角贰分, ¥325.04 → …伍元零肆分).
"""

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
GROUP_UNITS = ["", "万", "亿", "万亿"]


def format_yuan(fen: int) -> str:
    """¥1,234.56 for 123456 fen; negative amounts keep their sign before the ¥."""
    fen = _as_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def _group_to_capital(group: int) -> str:
    """0 < group < 10000, written with 零 for zeros inside (a run of zeros once)."""
    out = []
    pending_zero = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + SMALL_UNITS[position])
    return "".join(out)


def _yuan_to_capital(yuan: int) -> str:
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    if len(groups) > len(GROUP_UNITS):
        raise ValueError("amount too large")
    out = []
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or group < 1000):
            out.append("零")
        out.append(_group_to_capital(group) + GROUP_UNITS[index])
        need_zero = False
    return "".join(out)


def capital_amount(fen: int) -> str:
    """人民币壹仟贰佰叁拾肆元伍角陆分 for 123456 fen."""
    fen = _as_fen(fen)
    if fen < 0:
        raise ValueError("a capital amount cannot be negative")
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "人民币零元整"
    text = "人民币" + (_yuan_to_capital(yuan) + "元" if yuan else "")
    if cents == 0:
        return text + "整"
    if yuan and (yuan % 10 == 0 or jiao == 0):
        text += "零"
    if jiao:
        text += DIGITS[jiao] + "角"
    if fen_digit:
        text += DIGITS[fen_digit] + "分"
    return text


def parse_hundredths(text: str) -> int:
    """ "1,234.56" → 123456: a decimal with at most two places as an integer of hundredths, exactly (no floats).
    Yuan become fen, percentages become basis points. ValueError for anything else."""
    text = (text or "").strip()
    for mark in (",", "，", "¥", "￥", "元", "%", " "):
        text = text.replace(mark, "")
    whole, dot, cents = text.partition(".")
    if not _ascii_digits(whole) or len(whole) > 13 or (dot and (not _ascii_digits(cents) or len(cents) > 2)):
        raise ValueError(f"not an amount with at most two decimals: {text!r}")
    return int(whole) * 100 + int((cents + "00")[:2])


def _ascii_digits(text: str) -> bool:
    """Only 0-9: str.isdigit() and int() also take "１２３" and other scripts' digits, which no amount may use."""
    return text.isascii() and text.isdigit()


def hundredths_text(value: int) -> str:
    """123450 → "1234.5"-style plain text for form fields: "1234.50"; whole numbers without decimals."""
    whole, cents = divmod(_as_fen(value), 100)
    return f"{whole}" if cents == 0 else f"{whole}.{cents:02d}"


def _as_fen(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("money is integer fen")
    return value
