from django.contrib.auth import views as auth_views
from django.urls import path

from loket.console import views

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("search/", views.search_page, name="search"),
    path("bulk/", views.bulk, name="bulk"),
    path("macros/", views.macros, name="macros"),
    path("reports/", views.reports, name="reports"),
    path("macros/new/", views.macro_edit, name="macro_new"),
    path("macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("t/<str:reference>/", views.ticket_detail, name="ticket"),
    path("t/<str:reference>/reply/", views.reply, name="reply"),
    path("t/<str:reference>/note/", views.note, name="note"),
    path("t/<str:reference>/merge/", views.merge, name="merge"),
    path("t/<str:reference>/priority/", views.priority, name="priority"),
    path("t/<str:reference>/timeline.csv", views.timeline_csv, name="timeline_csv"),
    path("t/<str:reference>/split/<int:message_id>/", views.split, name="split"),
    path("t/<str:reference>/presence/", views.presence, name="presence"),
    path("t/<str:reference>/whatsapp-template/", views.whatsapp_template, name="whatsapp_template"),
    path("t/<str:reference>/call/", views.call_on_ticket, name="call"),
    path("call/", views.new_call, name="new_call"),
    path("t/<str:reference>/status/", views.change_status, name="status"),
    path("t/<str:reference>/assign-to-me/", views.assign_to_me, name="assign_to_me"),
    path("t/<str:reference>/complex/", views.mark_as_complex, name="complex"),
    path("t/<str:reference>/category/", views.change_category, name="category"),
    path("t/<str:reference>/refund/", views.refund_decision, name="refund"),
    path("t/<str:reference>/escalate/", views.escalate_ticket, name="escalate"),
    path("t/<str:reference>/de-escalate/", views.de_escalate_ticket, name="de_escalate"),
    path(
        "t/<str:reference>/resolve-review/", views.resolve_in_review_ticket, name="resolve_review"
    ),
    path("review/<int:level>/", views.review_queue, name="review"),
    path("t/<str:reference>/verify/", views.send_verification, name="verify"),
    path("t/<str:reference>/billing/", views.recheck_billing_view, name="recheck_billing"),
    path("t/<str:reference>/account-change/", views.account_change, name="account_change"),
    path("t/<str:reference>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
