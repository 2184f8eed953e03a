"""The integrity signals (issue 17): one module per rule (a signal), each with a stable `kind`, registered here.

A rule is one function `detect(scope) -> Iterable[Finding]`, registered with `@rule(kind, label)`. It reads its
rows set-wise (a few queries for the whole scope, grouped in memory), so a full scan costs time linear in the
rows. `scope` is None for the nightly full scan, or the enterprises and providers an event touched for the
incremental run. Adding a signal is one module with one registered function, listed in RULE_MODULES.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.utils import translation


@dataclass(frozen=True)
class Scope:
    """What an incremental run looks at: orders of these enterprises or of these providers."""

    enterprise_ids: frozenset = frozenset()
    provider_ids: frozenset = frozenset()

    def orders(self, queryset):
        from django.db.models import Q

        return queryset.filter(Q(enterprise_id__in=self.enterprise_ids) | Q(provider_id__in=self.provider_ids))


@dataclass
class Finding:
    """One suspicious case. `subject` (with the kind) makes the fingerprint; `message` is a lazy translatable
    format string filled with `params`, rendered in Chinese and in English when the flag is stored."""

    kind: str
    subject: str
    city_id: int
    message: object
    params: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)
    order_ids: tuple = ()
    order_id: int | None = None
    provider_id: int | None = None
    enterprise_id: int | None = None

    @property
    def fingerprint(self) -> str:
        return f"{self.kind}:{self.subject}"[:200]

    def explain(self, language: str) -> str:
        """Lists in params (e.g. of lazy labels) are joined in the language's own way."""
        with translation.override(language):
            separator = ", " if language.startswith("en") else "、"
            params = {
                key: separator.join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
                for key, value in self.params.items()
            }
            return str(self.message) % params


@dataclass(frozen=True)
class Rule:
    kind: str
    label: object
    detect: Callable[[Scope | None], Iterable[Finding]]


RULES: dict[str, Rule] = {}

RULE_MODULES = [
    "related_party",
    "shared_device",
    "reused_evidence",
    "price_outlier",
    "split_orders",
    "implausible_timing",
    "burst",
    "syndicate",
    "feedback",
]


def rule(kind: str, label):
    def register(function):
        RULES[kind] = Rule(kind=kind, label=label, detect=function)
        return function

    return register


def load() -> dict[str, Rule]:
    for name in RULE_MODULES:
        import_module(f"{__name__}.{name}")
    return RULES


def label_of(kind: str) -> str:
    load()
    found = RULES.get(kind)
    return str(found.label) if found else kind


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(r.label)) for kind, r in load().items()]
