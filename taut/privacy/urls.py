from django.urls import URLPattern, path

from taut.privacy import views

app_name = "privacy"
urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/export/", views.export_client, name="export_client"),
    path("settings/clinic/export/", views.export_clinic, name="export_clinic"),
    path("settings/retention/", views.retention_settings, name="retention_settings"),
    path("clients/<int:client_id>/erasure/", views.erasure_request, name="erasure_request"),
    path("clients/<int:client_id>/erasure/withdraw/", views.erasure_withdraw, name="erasure_withdraw"),
]
