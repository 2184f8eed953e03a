import pytest

from smevoucher.core.money import capital_amount, format_yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (123456, "¥1,234.56"),
        (100000000, "¥1,000,000.00"),
        (-2050, "-¥20.50"),
    ],
)
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "capital"),
    [
        # Examples of 《支付结算办法》附一 (PBoC rules for writing amounts on cheques)
        (140950, "人民币壹仟肆佰零玖元伍角"),
        (600714, "人民币陆仟零柒元壹角肆分"),
        (10700053, "人民币壹拾万柒仟元零伍角叁分"),
        (168032, "人民币壹仟陆佰捌拾元零叁角贰分"),
        (32504, "人民币叁佰贰拾伍元零肆分"),
        (1000000, "人民币壹万元整"),
        (123456, "人民币壹仟贰佰叁拾肆元伍角陆分"),
        (1600, "人民币壹拾陆元整"),
        (0, "人民币零元整"),
        (53, "人民币伍角叁分"),
        (5, "人民币伍分"),
        (50, "人民币伍角"),
        (100500, "人民币壹仟零伍元整"),
        (1000100, "人民币壹万零壹元整"),
        (10010000, "人民币壹拾万零壹佰元整"),
        (2000000000, "人民币贰仟万元整"),
        (10001000000, "人民币壹亿零壹万元整"),
        (10000000100, "人民币壹亿零壹元整"),
        (1000005, "人民币壹万元零伍分"),
        (2000000, "人民币贰万元整"),
    ],
)
def test_capital_amount(fen, capital):
    assert capital_amount(fen) == capital


def test_money_refuses_floats_and_negative_capitals():
    with pytest.raises(TypeError):
        format_yuan(12.5)
    with pytest.raises(TypeError):
        capital_amount(True)
    with pytest.raises(ValueError):
        capital_amount(-1)
