"""Matching keys for the profile data the integrity signals compare (issue 17): a legal representative's ID
number is kept only as a keyed hash (to match) and its last 4 characters (to show); addresses, telephones and
bank accounts are compared in one normalised form, so "浙江省杭州市西湖区文三路 1 号" and "杭州西湖文三路1号" meet.

The hash key is derived from SECRET_KEY (or IDENTITY_HASH_KEY when set): without the key, a leaked hash cannot
be tested against guessed ID numbers.
"""

import datetime
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

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


# --- Checking what a person types (issue 17) -----------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
# A passport or a mainland travel permit of a Hong Kong, Macao or foreign legal representative: a letter, then
# letters and digits (E12345678, H1234567801, G12345678…). A legal representative of a foreign-invested SME may
# hold no resident ID, so a real scheme accepts these; it cannot verify them beyond their shape.
_TRAVEL_DOCUMENT = re.compile(r"^[A-Z][A-Z0-9]{5,19}$")


def id_number_check_character(first17: str) -> str:
    """The check character of a GB 11643-1999 citizen identity number (ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(id_number: str) -> bool:
    """An 18-character PRC resident ID (also the Hong Kong/Macao/Taiwan residence permit and the new foreigner's
    permanent residence card, which share its format) with a possible birth date, or a passport-style number
    starting with a letter. The 15-digit first-generation card is refused: it stopped being valid in 2013.

    The check character is not enforced: the number is kept only to be compared, the unit checks the person
    against the licence, and clients and records made before this check carry numbers that fail it."""
    clean = normalise_text(id_number).upper()
    if _RESIDENT_ID.match(clean):
        year, month, day = int(clean[6:10]), int(clean[10:12]), int(clean[12:14])
        try:
            datetime.date(year, month, day)
        except ValueError:
            return False
        return 1900 <= year
    return bool(_TRAVEL_DOCUMENT.match(clean)) and not clean.isdigit()


_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\d{1,6}$", re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+?86)?(?:1[3-9]\d{9}|0\d{9,11}|[48]00\d{7})$|^[2-9]\d{6,7}$")


def is_valid_phone(phone: str) -> bool:
    """A mainland mobile (13800138000), a landline with its area code (020-12345678, 0755 1234567) or without it
    (66262690, as the seed's own contact is written), or a 400/800 number; +86 in front and an extension (转123,
    ext 123, #123, -914) behind are accepted."""
    text = unicodedata.normalize("NFKC", phone or "").strip()
    # "66262690-914": a short group after the last hyphen may be an extension; either reading may be the number
    readings = {text, re.sub(r"-\d{1,4}$", "", text)}
    return any(_PHONE.match(_EXTENSION.sub("", re.sub(r"[\s\-()]", "", reading))) for reading in readings)


# One wording wherever an ID number or a telephone is typed: enterprise and provider sign-up, correction and change
# requests (issue 17). Services check with `profile_errors`; forms show the same message beside the field.
ID_NUMBER_MESSAGE = gettext_lazy(
    "Enter an 18-character resident ID number (the last character may be X) exactly as on the card, or a passport "
    "or travel permit number."
)
PHONE_MESSAGE = gettext_lazy(
    "Enter a mobile number (11 digits) or a landline with its area code, e.g. 020-12345678; an extension may "
    "follow after 转."
)


def profile_errors(*, legal_rep_id_number: str | None = None, contact_phone: str | None = None) -> dict:
    """The form of an ID number and a telephone, as {field: [message]}; None skips a value that is not being set
    (an optional field left empty is passed as None, so it is not refused)."""
    errors = {}
    if legal_rep_id_number is not None and not is_valid_id_number(legal_rep_id_number):
        errors["legal_rep_id_number"] = [str(ID_NUMBER_MESSAGE)]
    if contact_phone is not None and not is_valid_phone(contact_phone):
        errors["contact_phone"] = [str(PHONE_MESSAGE)]
    return errors


def validate_id_number(value: str) -> None:
    """Form-field validator (an empty value is left to `required`); services check with `profile_errors`."""
    if value and not is_valid_id_number(value):
        raise ValidationError(ID_NUMBER_MESSAGE, code="invalid")


def validate_phone(value: str) -> None:
    if value and not is_valid_phone(value):
        raise ValidationError(PHONE_MESSAGE, code="invalid")
