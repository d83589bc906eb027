from django.urls import path

from taut.access import audit_views, views

app_name = "access"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.second_factor, name="second_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("clinic/switch/", views.switch_clinic, name="switch_clinic"),
    path("settings/users/", views.users, name="users"),
    path("settings/users/<int:membership_id>/active/", views.user_active, name="user_active"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/clinic/", views.clinic_settings, name="clinic_settings"),
    path("settings/profile/", views.profile, name="profile"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
]
