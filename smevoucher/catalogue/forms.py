from django import forms
from django.utils.translation import gettext_lazy as _

from smevoucher.accounts.models import City
from smevoucher.core.forms import YuanField
from smevoucher.documents.forms import KeepsMaterials, MaterialField
from smevoucher.documents.models import Kind
from smevoucher.enterprises.models import Industry, Size

from . import requirements as req
from .models import Category, ProductRevision

MATERIAL_HELP = _("PDF, JPG or PNG, at most 5 MB in all; several pages are merged in the order shown.")


# The revision's plain content fields, edited as they are (tiers, comparables and regions have their own rows).
CONTENT_FIELDS = [
    "name",
    "category",
    "target_sizes",
    "target_industries",
    "overview",
    "process",
    "duration",
    "deliverables",
    "acceptance_criteria",
    "pricing",
    "sub_products",
    "guidance_title",
    "guidance_number",
    "basis_cost",
    "basis_profit",
    "basis_tax",
]


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class ProductForm(KeepsMaterials, forms.Form):
    """The product's content (R5) except the materials sets; blank rows of tiers and comparables are ignored."""

    TIER_ROWS = 5
    COMPARABLE_ROWS = 4

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    name = forms.CharField(label=_("Product name"), max_length=100)
    category = forms.ChoiceField(label=_("Service category"), choices=Category.choices)
    regions = forms.ModelMultipleChoiceField(
        label=_("Service region"), queryset=City.objects.none(), required=False, widget=_checkboxes()
    )
    target_sizes = forms.MultipleChoiceField(
        label=_("Enterprise sizes served"), choices=Size.choices, required=False, widget=_checkboxes()
    )
    target_industries = forms.MultipleChoiceField(
        label=_("Industries served"),
        choices=Industry.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Choose none for every industry."),
    )
    overview = forms.CharField(label=_("Service overview"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    process = forms.CharField(label=_("Service process"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duration = forms.CharField(label=_("Service duration"), max_length=100, required=False)
    deliverables = forms.CharField(
        label=_("Deliverables (service results)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    acceptance_criteria = forms.CharField(
        label=_("Acceptance criteria"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pricing = forms.ChoiceField(
        label=_("Price"),
        choices=ProductRevision.Pricing.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=ProductRevision.Pricing.SINGLE,
    )
    price = YuanField(label=_("Price (yuan)"), required=False)
    sub_products = forms.BooleanField(
        label=_("The product bundles more than one sub-product"),
        required=False,
        help_text=_("Then, as with a price range, 3 to 5 sets of historical materials are needed."),
    )
    guidance_title = forms.CharField(label=_("Guidance price document (if any)"), max_length=200, required=False)
    guidance_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    basis_cost = forms.CharField(label=_("Cost"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis_profit = forms.CharField(label=_("Profit"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis_tax = forms.CharField(label=_("Tax"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pricing_document = MaterialField(
        label=_("Pricing basis material (optional)"), required=False, help_text=MATERIAL_HELP, kind=Kind.PRICING_BASIS
    )
    qualification = MaterialField(
        label=_("Qualification proof"), required=False, help_text=MATERIAL_HELP, kind=Kind.QUALIFICATION
    )

    def __init__(self, *args, provider=None, revision=None, **kwargs):
        from smevoucher.providers.selectors import service_cities

        initial = kwargs.pop("initial", None) or {}
        if revision is not None:
            initial = {**self.initial_from(revision), **initial}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["regions"].queryset = service_cities(provider) if provider else City.objects.all()
        for i in range(1, self.TIER_ROWS + 1):
            self.fields[f"tier_{i}_name"] = forms.CharField(
                label=_("Tier %(n)s") % {"n": i}, max_length=100, required=False
            )
            self.fields[f"tier_{i}_description"] = forms.CharField(
                label=_("What tier %(n)s buys") % {"n": i}, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"tier_{i}_price"] = YuanField(label=_("Price of tier %(n)s (yuan)") % {"n": i}, required=False)
        for i in range(1, self.COMPARABLE_ROWS + 1):
            self.fields[f"cmp_{i}_competitor"] = forms.CharField(
                label=_("Comparable %(n)s: competitor") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"cmp_{i}_product"] = forms.CharField(
                label=_("Comparable %(n)s: product") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"cmp_{i}_price"] = YuanField(
                label=_("Comparable %(n)s: price (yuan)") % {"n": i}, required=False
            )
            self.fields[f"cmp_{i}_source"] = forms.CharField(
                label=_("Comparable %(n)s: source") % {"n": i}, max_length=300, required=False
            )
        category = (self.data.get("category") if self.is_bound else None) or initial.get("category")
        required, what = req.qualification_for(category or "")
        self.fields["qualification"].help_text = what
        self.qualification_required = required

    @staticmethod
    def initial_from(revision: ProductRevision) -> dict:
        data = {field: getattr(revision, field) for field in CONTENT_FIELDS}
        data["regions"] = list(revision.region_rows.values_list("city_id", flat=True))
        tiers = list(revision.tiers.all())
        if revision.pricing == ProductRevision.Pricing.SINGLE and tiers:
            data["price"] = tiers[0].price_fen
        else:
            for tier in tiers:
                data[f"tier_{tier.position}_name"] = tier.name
                data[f"tier_{tier.position}_description"] = tier.description
                data[f"tier_{tier.position}_price"] = tier.price_fen
        for row in revision.comparables.all():
            data[f"cmp_{row.position}_competitor"] = row.competitor
            data[f"cmp_{row.position}_product"] = row.product_name
            data[f"cmp_{row.position}_price"] = row.price_fen
            data[f"cmp_{row.position}_source"] = row.source
        return data

    def tier_rows(self):
        return [
            (self[f"tier_{i}_name"], self[f"tier_{i}_description"], self[f"tier_{i}_price"])
            for i in range(1, self.TIER_ROWS + 1)
        ]

    def comparable_rows(self):
        return [
            (self[f"cmp_{i}_competitor"], self[f"cmp_{i}_product"], self[f"cmp_{i}_price"], self[f"cmp_{i}_source"])
            for i in range(1, self.COMPARABLE_ROWS + 1)
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        content = {key: data[key] for key in CONTENT_FIELDS}
        content["regions"] = list(data["regions"])
        if data["pricing"] == ProductRevision.Pricing.SINGLE:
            content["price_fen"] = data["price"]
        else:
            content["tiers"] = [
                {
                    "name": data[f"tier_{i}_name"],
                    "description": data[f"tier_{i}_description"],
                    "price_fen": data[f"tier_{i}_price"],
                }
                for i in range(1, self.TIER_ROWS + 1)
                if data[f"tier_{i}_name"] or data[f"tier_{i}_description"] or data[f"tier_{i}_price"] is not None
            ]
        content["comparables"] = [
            {
                "competitor": data[f"cmp_{i}_competitor"],
                "product_name": data[f"cmp_{i}_product"],
                "price_fen": data[f"cmp_{i}_price"],
                "source": data[f"cmp_{i}_source"],
            }
            for i in range(1, self.COMPARABLE_ROWS + 1)
            if data[f"cmp_{i}_competitor"] or data[f"cmp_{i}_product"] or data[f"cmp_{i}_price"] is not None
        ]
        if data.get("token"):
            content["token"] = data["token"]
        if data.get("qualification"):
            content["qualification"] = data["qualification"]
        if data.get("pricing_document"):
            content["pricing_document"] = data["pricing_document"]
        return content


class MaterialSetForm(KeepsMaterials, forms.Form):
    """One set of historical materials: contract, invoice and the category's deliverable evidence (R5)."""

    title = forms.CharField(
        label=_("Client or project"),
        max_length=200,
        help_text=_("Whom the service was for, e.g. a client's name (may be anonymised) and the year."),
    )
    contract = MaterialField(label=_("Contract"), help_text=MATERIAL_HELP, kind=Kind.HISTORY_CONTRACT)
    invoice = MaterialField(label=_("Invoice"), help_text=MATERIAL_HELP, kind=Kind.HISTORY_INVOICE)

    def __init__(self, *args, category: str, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = req.evidence_for(category)
        for item, label in self.items:
            self.fields[f"evidence_{item}"] = MaterialField(
                label=label, required=False, help_text=MATERIAL_HELP, kind=Kind.HISTORY_DELIVERABLE
            )
        if existing is not None:  # editing: every material optional, replaced only when a file is chosen
            self.fields["contract"].required = self.fields["invoice"].required = False
            self.fields["title"].initial = existing.title

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "contract": data["contract"] or None,
            "invoice": data["invoice"] or None,
            "evidence": {item: data[f"evidence_{item}"] for item, _label in self.items if data[f"evidence_{item}"]},
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Service category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    city = forms.ModelChoiceField(
        label=_("Served city"), queryset=City.objects.all(), required=False, empty_label=_("All cities")
    )
    price_min = YuanField(label=_("Lowest price (yuan)"), required=False)
    price_max = YuanField(label=_("Highest price (yuan)"), required=False)
