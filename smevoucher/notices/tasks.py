from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import EmailPreference, Notification, event_group


@shared_task(ignore_result=True)
def send_notification_emails(notification_ids: list[int]) -> None:
    """E-mail each notification not yet e-mailed; safe to run twice."""
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user")
    muted = set(
        EmailPreference.objects.filter(user__notifications__in=pending, email=False).values_list("user_id", "group")
    )
    for notification in pending:
        if not notification.user.email or (notification.user_id, event_group(notification.event)) in muted:
            continue
        text = notification.body
        if notification.url:
            text += f"\n\n{getattr(settings, 'SITE_URL', '').rstrip('/')}{notification.url}"
        send_mail(notification.title, text, None, [notification.user.email])
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
