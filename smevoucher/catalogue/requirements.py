"""What R5 and the seed (二(二)5–6) ask of a product, by category: the qualification proof and the deliverable
evidence each set of historical materials must contain."""

from django.utils.translation import gettext_lazy as _

from .models import Category

# Seed 二(二)5: (1) information query/view/download: proof of the information's lawful source; (2) personalised
# online consulting: the consultants' profiles; (3) other services: the qualifications they need (as needed).
QUALIFICATION = {
    Category.INFO_QUERY: (
        True,
        _("Proof of the information's lawful source (own development, lawful purchase, lawful compilation, …)"),
    ),
    Category.ONLINE_CONSULTING: (
        True,
        _("Profiles of the consultants or the consulting team (position, achievements, qualifications)"),
    ),
}
OTHER_QUALIFICATION = (False, _("Qualifications the service needs, if any"))

# Seed 二(二)6 (1)–(7): the deliverable evidence of each set of historical materials.
AS_APPLICABLE = [("deliverable", _("Deliverable evidence of the service, as applicable"))]
EVIDENCE = {
    Category.REPORT_CONSULTING: [("report", _("The complete report, or an excerpt showing its value"))],
    Category.ROUTINE: [
        ("records", _("Records of the service process")),
        ("results", _("Main results showing the service's value")),
    ],
    Category.INFO_SYSTEM: [
        ("screenshots", _("Screenshots of the system (main function menus and initial data)")),
        ("acceptance", _("Project implementation and acceptance report")),
    ],
    Category.INFO_APPLICATION: [
        ("screenshots", _("Screenshots of the application (time, duration, quantity and content of use)")),
        ("evaluation", _("Application evaluation report")),
    ],
    Category.IP_AGENCY: [
        ("acceptance_notice", _("Acceptance notice of the application from the patent office, trademark office, …"))
    ],
    Category.TRAINING: [
        ("plan", _("Training plan (place, duration, schedule)")),
        ("syllabus", _("Training syllabus")),
        ("courseware", _("Complete courseware, or an excerpt showing the course's value")),
        ("photos", _("On-site photos showing the course content, the lecturer and the trainees")),
        ("notice", _("Training notice")),
        ("sign_in", _("Sign-in sheet")),
    ],
}

MIN_COMPARABLES = 2
SETS_FOR_RANGE = (3, 5)  # a product with tiers, a price range or several sub-products: 3 to 5 sets
MIN_SETS_SINGLE = 1
MAX_SETS = 5
MAX_TIERS = 10
MAX_COMPARABLES = 10


def qualification_for(category: str) -> tuple[bool, str]:
    """(required, what to upload) for the category's qualification proof."""
    return QUALIFICATION.get(category, OTHER_QUALIFICATION)


def evidence_for(category: str) -> list[tuple[str, str]]:
    """(item, label) of the deliverable evidence each material set of this category must contain."""
    return EVIDENCE.get(category, AS_APPLICABLE)


def sets_required(several: bool) -> tuple[int, int]:
    """(fewest, most) sets; `several` is ProductRevision.needs_several_sets."""
    return SETS_FOR_RANGE if several else (MIN_SETS_SINGLE, MAX_SETS)


def by_category() -> list[dict]:
    """For the editor: what each category needs (shown for the category chosen)."""
    from .models import Category

    rows = []
    for value, label in Category.choices:
        required, qualification = qualification_for(value)
        rows.append(
            {
                "value": value,
                "label": label,
                "qualification_required": required,
                "qualification": qualification,
                "evidence": [item_label for _item, item_label in evidence_for(value)],
            }
        )
    return rows
