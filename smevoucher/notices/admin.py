from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "event", "title", "read_at", "emailed_at"]
    list_filter = ["event"]
    list_select_related = ["user"]
