from django import template

from smevoucher.core.money import capital_amount, format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """{{ amount_fen|yuan }} → ¥1,234.56"""
    return "" if fen is None else format_yuan(int(fen))


@register.filter
def capital(fen):
    """{{ amount_fen|capital }} → 人民币壹仟贰佰叁拾肆元伍角陆分"""
    return "" if fen is None else capital_amount(int(fen))


@register.filter
def percent_bp(bp):
    """{{ 1250|percent_bp }} → 12.5 % (basis points, the unit of every ratio, CONVENTIONS §4)."""
    return "" if bp is None else f"{int(bp) / 100:g}%"
