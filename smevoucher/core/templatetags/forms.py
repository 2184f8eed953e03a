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
    """The id a summary link jumps to: the field's input (a material's file picker), or the error's own box."""
    if name in form.fields:
        field = form[name]
        anchor = field.id_for_label or f"id_{field.html_name}"
        widget = form.fields[name].widget
        return f"{anchor}_picker" if widget.__class__.__name__ == "MaterialInput" else anchor
    return f"field-{form.add_prefix(name)}"


@register.inclusion_tag("_form_errors.html")
def error_summary(form):
    """The GOV.UK error summary: every problem of the form at the top, each linking to its field."""
    items = []
    if form is not None and form.is_bound:
        for name, errors in form.errors.items():
            label = "" if name == "__all__" else (form.fields[name].label if name in form.fields else "")
            for error in errors:
                items.append(
                    {"href": "" if name == "__all__" else "#" + _anchor(form, name), "label": label, "error": error}
                )
    return {"items": items}
