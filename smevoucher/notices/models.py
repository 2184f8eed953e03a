from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One in-app message to one user; the same event is e-mailed by a background task."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
        db_index=False,  # notification_user_list leads with the user: a second index would only slow the inserts
    )
    event = models.CharField(_("event"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_list"),  # issue 16
            models.Index(
                fields=["user", "-created_at", "-id"],
                name="notification_user_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title


class Notice(models.Model):
    """A public notice on the notice board (通知公告): by the province unit (all cities) or a city unit (its city)."""

    class Category(models.TextChoices):
        POLICY = "policy", _("Policy")
        BATCH = "batch", _("Batch announcement")
        ALLOCATION = "allocation", _("Allocation results")
        REDEMPTION = "redemption", _("Redemption results")
        OTHER = "other", _("Other")

    publisher = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="notices", verbose_name=_("publisher")
    )
    city = models.ForeignKey(
        "accounts.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("city"),
        help_text=_("Empty: the whole province."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), db_index=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    attachments = models.ManyToManyField(
        "documents.Document", blank=True, related_name="notices", verbose_name=_("attachments")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.title


class EmailPreference(models.Model):
    """A user's choice to receive (or not) e-mail for one group of events; in-app notifications always arrive."""

    class Group(models.TextChoices):
        ACCOUNT = "account", _("Account and review decisions")
        VOUCHER = "voucher", _("Vouchers, claims and allocation")
        ORDER = "order", _("Orders, contracts and payments")
        REDEMPTION = "redemption", _("Redemption")
        REMINDER = "reminder", _("Deadline reminders")
        OTHER = "other", _("Other messages")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    group = models.CharField(max_length=20, choices=Group.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="one_preference_per_group")]

    def __str__(self):
        return f"{self.user_id}:{self.group}={self.email}"


# Which e-mail preference group an event belongs to, by the event's prefix ("order.confirmed" → order).
EVENT_GROUPS = {
    "enterprise": EmailPreference.Group.ACCOUNT,
    "provider": EmailPreference.Group.ACCOUNT,
    "product": EmailPreference.Group.ACCOUNT,
    "batch": EmailPreference.Group.VOUCHER,
    "claim": EmailPreference.Group.VOUCHER,
    "voucher": EmailPreference.Group.VOUCHER,
    "allocation": EmailPreference.Group.VOUCHER,
    "order": EmailPreference.Group.ORDER,
    "payment": EmailPreference.Group.ORDER,
    "refund": EmailPreference.Group.ORDER,
    "redemption": EmailPreference.Group.REDEMPTION,
    "reminder": EmailPreference.Group.REMINDER,
}


def event_group(event: str) -> str:
    return EVENT_GROUPS.get(event.split(".", 1)[0], EmailPreference.Group.OTHER)
