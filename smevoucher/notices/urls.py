from django.urls import path

from . import feeds, views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:pk>/", views.notice_detail, name="detail"),
    path("notices/<int:pk>/attachments/<int:document_id>/", views.notice_attachment, name="attachment"),
    path("notices/feed/rss/", feeds.NoticeRssFeed(), name="rss"),
    path("notices/feed/atom/", feeds.NoticeAtomFeed(), name="atom"),
    path("notices/manage/", views.manage_list, name="manage"),
    path("notices/manage/new/", views.notice_create, name="create"),
    path("notices/manage/<int:pk>/", views.notice_edit, name="edit"),
    path("notices/manage/<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("help/", views.help_centre, name="help"),
    path("help/guide/<slug:role>/", views.guide, name="guide"),
    path("help/contacts/", views.contacts_edit, name="contacts_edit"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/preferences/", views.email_preferences, name="preferences"),
]
