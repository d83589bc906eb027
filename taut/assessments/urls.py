from django.urls import path

from taut.assessments import measures_views, views

app_name = "assessments"
urlpatterns = [
    path("reasoning/preview/", views.preview, name="reasoning_preview"),
    path("clients/<int:client_id>/visits/<int:visit_id>/pain-chart/", views.pain_chart, name="pain_chart"),
    path("clients/<int:client_id>/visits/<int:visit_id>/range-of-motion/", views.rom, name="rom"),
    path("clients/<int:client_id>/visits/<int:visit_id>/measures/", measures_views.measures_page, name="measures"),
    path("clients/<int:client_id>/visits/<int:visit_id>/wellness/", measures_views.wellness_page, name="wellness"),
]

from taut.assessments import special_tests_views  # noqa: E402 - appended with its routes

urlpatterns += [
    path(
        "clients/<int:client_id>/visits/<int:visit_id>/special-tests/",
        special_tests_views.special_tests,
        name="special_tests",
    ),
]
