from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted through the ORM (audit log, ledger)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError(f"{self._meta.verbose_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.verbose_name} is append-only")


class ChangeRequestBase(models.Model):
    """What an enterprise's (issue 17) and a provider's (R4) change request share: who asked, when, and the unit's
    decision (`core.change_requests`). The requested values, the proof and the subject stay with each app."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", pgettext_lazy("change request status", "Refused")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reply = models.TextField(_("reply"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        abstract = True


class AuditEvent(AppendOnly):
    """One recorded action (R16). Append-only and hash-chained once sealed (see core.audit)."""

    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The request it came from (the X-Request-ID of the response, the id in the logs and on the error page).
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    # Filled when the event is sealed into the chain, after its transaction committed.
    seal_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["at"]),
            # Looked up whole, never by prefix: a plain index, not db_index's second one for LIKE on PostgreSQL.
            models.Index(fields=["request_id"], name="auditevent_request_id"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the newest sealed hash. Sealing locks it, so the chain is one strict sequence
    even with many app servers; recording an event never touches it."""

    last_hash = models.CharField(max_length=64)

    def __str__(self):
        return self.last_hash


class AuditCheck(models.Model):
    """The outcome of one verification of the chain (the `verify_audit` command and the periodic job), so the
    audit trail page can say when the log was last found intact."""

    checked_at = models.DateTimeField(_("checked"))
    intact = models.BooleanField(_("intact"))
    events = models.BigIntegerField(_("events checked"))
    problem_count = models.BigIntegerField(_("problems found"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)  # the first 100 of them
    source = models.CharField(_("run by"), max_length=20)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("audit chain check")
        verbose_name_plural = _("audit chain checks")

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.intact else 'broken'}"


class ActionTrace(models.Model):
    """Where a key action of either side came from (issue 17): the client address and a hash of the browser's
    user agent, for log-in, claim, order, contract, payment and confirmation. The integrity signals compare the
    two sides of one order (`shared_device`). Ids are plain integers: core references no app's model."""

    at = models.DateTimeField(_("time"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=40)
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # the order the action belongs to
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent_hash = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("action trace")
        verbose_name_plural = _("action traces")

    def __str__(self):
        return f"{self.action} {self.user_id} {self.ip_address}"
