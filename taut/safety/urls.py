from django.urls import URLPattern, path

from taut.safety import views

app_name = "safety"
urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/flags/<slug:flag_key>/resolve/", views.resolve_flag, name="resolve_flag"),
]
