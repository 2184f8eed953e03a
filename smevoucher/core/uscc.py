"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from the 31-character set below (no I, O, Z, S, V); the 18th is a check character
computed from the first 17 with weights 3^i mod 31.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize_uscc(code: str) -> str:
    """Upper-case and strip surrounding spaces; full-width characters become half-width."""
    code = (code or "").strip().upper()
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in code)


def is_valid_uscc(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18 or any(char not in CHARSET for char in code):
        return False
    if not code[2:8].isdigit():  # positions 3–8 are the GB/T 2260 administrative division code
        return False
    return code[17] == check_character(code[:17])


INVALID_MESSAGE = _(
    "This is not a valid unified social credit code (18 characters; the last one is a check character). "
    "Copy it exactly from the business licence."
)


def validate_uscc(value: str) -> None:
    """Form-field validator; services check with `is_valid_uscc` and the same message."""
    if not is_valid_uscc(normalize_uscc(value)):
        raise ValidationError(INVALID_MESSAGE, code="invalid_uscc")
