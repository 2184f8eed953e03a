"""How an organisation's full name is compared with the directory (R1)."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The form two names are compared in: full-width and half-width forms made equal (（）→ (), ，→ , and
    full-width letters and digits), all spaces removed, Latin letters case-folded. "广州市某某（越秀）中心 " and
    "广州市某某(越秀)中心" give the same key."""
    text = unicodedata.normalize("NFKC", name or "")
    return _SPACE.sub("", text).casefold()


def clean_name(name: str) -> str:
    """The name as stored: surrounding spaces trimmed, inner runs of spaces made one."""
    return " ".join((name or "").split())
