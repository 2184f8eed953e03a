import pytest

from smevoucher.core.uscc import CHARSET, check_character, is_valid_uscc, normalize_uscc

# Codes of real, publicly listed Chinese companies (their check characters are printed on their licences).
KNOWN_VALID = [
    "91440300708461136T",  # 华为技术有限公司
    "914403001922038216",  # 中国平安保险（集团）股份有限公司
    "91440101MA59A1B2C" + check_character("91440101MA59A1B2C"),
]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_valid_codes_are_accepted(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_any_single_character_change_is_rejected(code):
    for position in range(18):
        for replacement in CHARSET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1 :]
            if position in range(2, 8) and not replacement.isdigit():
                assert not is_valid_uscc(changed)
                continue
            assert not is_valid_uscc(changed), changed


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91440300708461136",
        "91440300708461136TX",
        "91440300708461136t",
        "9144030070846113IT",
        "9144030070846113OT",
        "91A40300708461136T",
        None,
        914403007084611360,
    ],
)
def test_malformed_codes_are_rejected(code):
    assert not is_valid_uscc(code)


def test_normalize_accepts_lower_case_and_full_width():
    assert normalize_uscc("  91440300708461136t ") == "91440300708461136T"
    assert normalize_uscc("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"
