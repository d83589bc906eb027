from django.urls import path

from taut.intake import views

app_name = "intake"
urlpatterns = [
    # the client's private link (no account)
    path("intake/<str:intake_token>/", views.start, name="intake_start"),
    path("intake/<str:intake_token>/review/", views.review, name="intake_review"),
    path("intake/<str:intake_token>/<slug:step>/", views.step_page, name="intake_step"),
    # staff, under the client
    path("clients/<int:client_id>/intake/", views.links, name="intake_links"),
    path("clients/<int:client_id>/intake/fill/", views.fill, name="intake_fill"),
    path("clients/<int:client_id>/intake/links/<int:link_id>/revoke/", views.revoke, name="intake_revoke"),
    path("clients/<int:client_id>/intakes/<int:intake_id>/", views.detail, name="intake_detail"),
    path("clients/<int:client_id>/intakes/<int:intake_id>/reviewed/", views.mark_reviewed, name="intake_reviewed"),
]
