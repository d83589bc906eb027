from django.urls import path

from taut.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/consents/new/", views.consent_create, name="consent_create"),
    path("clients/<int:client_id>/consents/verbal/", views.consent_verbal, name="consent_verbal"),
    path("settings/consent/", views.consent_text_edit, name="consent_text"),
    path("clients/<int:client_id>/consents/<int:consent_id>/", views.consent_detail, name="consent_detail"),
    path(
        "clients/<int:client_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("clients/<int:client_id>/visits/new/", views.visit_create, name="visit_create"),
    path("clients/<int:client_id>/visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("clients/<int:client_id>/visits/<int:visit_id>/edit/", views.visit_edit, name="visit_edit"),
]
