"""Matching keys for the profile data the integrity signals compare (issue 17): a legal representative's ID
number is kept only as a keyed hash (to match) and its last 4 characters (to show); addresses, telephones and
bank accounts are compared in one normalised form, so "浙江省杭州市西湖区文三路 1 号" and "杭州西湖文三路1号" meet.

The hash key is derived from SECRET_KEY (or IDENTITY_HASH_KEY when set): without the key, a leaked hash cannot
be tested against guessed ID numbers.
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

_SPACES = re.compile(r"[\s\u3000·,，.。\-—_/()（）#＃]+")
# The administrative prefixes (province, city, district) are written, dropped or shortened at will
# ("广东省广州市天河区…", "广州天河…"): the key is what follows them, the street, number and room.
_PREFIX = re.compile(
    r"^(?:[^省市区县]{2,8}?(?:省|自治区|特别行政区))?(?:[^省市区县]{2,8}?(?:市|自治州|地区|盟))?"
    r"(?:[^省市区县]{1,8}?(?:区|县|市|旗))?"
)


def _key() -> bytes:
    return (getattr(settings, "IDENTITY_HASH_KEY", "") or settings.SECRET_KEY).encode()


def id_number_hash(id_number: str) -> str:
    """The keyed hash of an ID number (upper-cased, spaces dropped); empty for an empty number."""
    clean = normalise_text(id_number).upper()
    if not clean:
        return ""
    return hmac.new(_key(), b"id-number:" + clean.encode(), hashlib.sha256).hexdigest()


def id_number_last4(id_number: str) -> str:
    return normalise_text(id_number).upper()[-4:]


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, without spaces and punctuation."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def address_key(address: str) -> str:
    return _PREFIX.sub("", normalise_text(address), count=1)


def phone_key(phone: str) -> str:
    """Digits only, without a leading +86/0086 country code."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
    return digits


def account_key(account: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", account or ""))


def user_agent_hash(user_agent: str) -> str:
    """A short keyed hash of a browser's user-agent string: enough to tell "the same browser", not to read it."""
    if not user_agent:
        return ""
    return hmac.new(_key(), b"ua:" + user_agent.encode(), hashlib.sha256).hexdigest()[:32]
