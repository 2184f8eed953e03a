from django import forms, template

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap's classes (and is-invalid when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


def _anchor(form, name: str) -> str:
    """The id a summary link jumps to: the field's input, or what its widget names (a material's file picker)."""
    field = form[name]
    anchor = field.id_for_label or f"id_{field.html_name}"
    return anchor + getattr(form.fields[name].widget, "anchor_suffix", "")


@register.inclusion_tag("_form_errors.html")
def error_summary(form):
    """The GOV.UK error summary: every problem of the form at the top, each linking to its field (problems that
    belong to no field are listed without a link)."""
    items = []
    if form is not None and form.is_bound:
        for name, errors in form.errors.items():
            linked = name in form.fields
            label = form[name].label if linked else ""
            for error in errors:
                items.append({"href": "#" + _anchor(form, name) if linked else "", "label": label, "error": error})
    return {"items": items}
