from django import template

register = template.Library()


@register.filter
def cells(row, kinds):
    """{% for value, kind in row|cells:table.kinds %}: each value with its column's kind."""
    return list(zip(row, kinds, strict=False))


@register.filter
def percent_bp(bp):
    """Basis points as a percentage with two decimals: 8125 → 81.25 %."""
    bp = int(bp or 0)
    return f"{bp // 100}.{bp % 100:02d} %"
