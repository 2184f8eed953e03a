"""Recall and precision of the flags against a simulation's ground truth, per kind and overall, counted in
orders: an order is found for kind K when a flag of kind K concerns it. The truth's orders are the orders that
are live at the end of the simulated year (a declined or cancelled order is no case, and the signals skip it);
its labels map an order id to the kinds of case it was planted in."""

from collections import defaultdict

from .models import RiskFlag


def evaluate(truth: dict) -> dict:
    orders = set(truth["orders"])
    labelled = {int(k): set(v) for k, v in truth["labels"].items()}
    flagged = defaultdict(set)  # kind → orders
    for kind, order_id in RiskFlag.orders.through.objects.filter(order_id__in=orders).values_list(
        "riskflag__kind", "order_id"
    ):
        flagged[kind].add(order_id)
    result = {}
    kinds = sorted({k for v in labelled.values() for k in v} | set(flagged))
    for kind in kinds:
        truth_k = {o for o, v in labelled.items() if kind in v}
        found = flagged[kind]
        hit = len(truth_k & found)
        result[kind] = {
            "cases": len(truth_k),
            "flagged": len(found),
            "recall": hit / len(truth_k) if truth_k else None,
            "precision": hit / len(found) if found else None,
        }
    any_flagged = set().union(*flagged.values()) if flagged else set()
    bad = set(labelled)
    clean = orders - bad
    result["overall"] = {
        "cases": len(bad),
        "flagged": len(any_flagged),
        "recall": len(bad & any_flagged) / len(bad) if bad else None,
        "precision": len(bad & any_flagged) / len(any_flagged) if any_flagged else None,
        "clean_flagged_share": len(clean & any_flagged) / len(clean) if clean else 0.0,
    }
    return result
