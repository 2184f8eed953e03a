"""The scheme's flow (DESIGN §2), drawn on the public flow page and, with the current step marked, on
every order page."""

from django.utils.translation import gettext_lazy as _

PROVIDER = _("Service provider")
ENTERPRISE = _("Enterprise")
UNIT = _("Handling unit")

STEPS = [
    (
        "register",
        _("Provider registers"),
        PROVIDER,
        _(
            "Full name checked against the directory; business licence and commitment letter uploaded; "
            "reviewed by the handling unit."
        ),
    ),
    (
        "publish",
        _("Publish a service product"),
        PROVIDER,
        _(
            "Name, price, description, pricing basis, qualification proof and historical service materials; "
            "reviewed before it enters the catalogue."
        ),
    ),
    ("order", _("Enterprise orders"), ENTERPRISE, _("Chooses a product and earmarks the expected voucher amount.")),
    (
        "confirm_order",
        _("Confirm the order"),
        PROVIDER,
        _("The cap per issuing city (the share of its total issued that the batch states) is checked."),
    ),
    (
        "upload_contract",
        _("Upload the contract"),
        ENTERPRISE,
        _("By the batch's contract deadline (the days after its claim window that the batch states)."),
    ),
    ("confirm_contract", _("Confirm the contract"), PROVIDER, _("Or return it with a reason.")),
    ("complete", _("Complete the service"), PROVIDER, _("Within the batch's qualifying period.")),
    (
        "receive",
        _("Pay with vouchers and confirm receipt"),
        ENTERPRISE,
        _("Invoice, bank-transfer proof and the city's materials; the provider checks them and confirms."),
    ),
    (
        "redeem",
        _("Apply for redemption"),
        PROVIDER,
        _("Application form and usage summary, stamped scans; the issuing city reviews and publishes the results."),
    ),
]


def steps(current: str | None = None) -> list[dict]:
    codes = [code for code, *_rest in STEPS]
    current_index = codes.index(current) if current in codes else -1
    return [
        {
            "number": index + 1,
            "code": code,
            "title": title,
            "actor": actor,
            "detail": detail,
            "state": "done" if index < current_index else "current" if index == current_index else "todo",
        }
        for index, (code, title, actor, detail) in enumerate(STEPS)
    ]
