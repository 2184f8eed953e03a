"""The parties' names on each order (issue 16): copied when the order is placed and kept in step when an enterprise's
or a provider's organisation is renamed (a change request applied, a resubmission, the admin), in the transaction
that renames it. The order list searches them; its page and the API show them."""

from smevoucher.accounts.models import Organisation
from smevoucher.enterprises.models import Enterprise
from smevoucher.providers.models import Provider

from ..models import Order


def remember_name(sender, instance: Organisation, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: the name as stored, so post_save knows whether it changed (one read by key, only when the name
    is among the fields saved)."""
    instance._stored_name = None
    if raw or instance.pk is None or (update_fields is not None and "name" not in update_fields):
        return
    if instance.kind in (Organisation.Kind.ENTERPRISE, Organisation.Kind.PROVIDER):
        stored = Organisation.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        instance._stored_name = stored


def follow_rename(sender, instance: Organisation, created=False, raw=False, **kwargs) -> None:
    """post_save: one UPDATE of the organisation's orders when its name changed."""
    stored = getattr(instance, "_stored_name", None)
    if created or raw or stored is None or stored == instance.name:
        return
    if instance.kind == Organisation.Kind.ENTERPRISE:
        parties = Enterprise.objects.filter(organisation_id=instance.pk).values("pk")
        Order.objects.filter(enterprise_id__in=parties).update(enterprise_name=instance.name)
    else:
        parties = Provider.objects.filter(organisation_id=instance.pk).values("pk")
        Order.objects.filter(provider_id__in=parties).update(provider_name=instance.name)
