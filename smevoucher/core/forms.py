from .errors import DomainError


def add_domain_errors(form, exc: DomainError, *, rename: dict | None = None) -> None:
    """Show a service's refusal on the form: field messages beside their fields, the rest on top."""
    rename = rename or {}
    for field, problems in exc.fields.items():
        target = rename.get(field, field)
        for problem in problems:
            form.add_error(target if target in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, str(exc.message))
