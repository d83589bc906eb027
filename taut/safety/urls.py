from django.urls import URLPattern, path  # noqa: F401

app_name = "safety"
# The resolve route (taut.safety.views.resolve_flag) is registered together with its permission rows.
urlpatterns: list[URLPattern] = []
