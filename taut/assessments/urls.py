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

from taut.assessments import views_link  # noqa: E402 - appended with its routes

urlpatterns += [
    # the client's private link (no account)
    path("m/<str:measures_token>/", views_link.fill, name="measures_link"),
    # staff, under the visit
    path("clients/<int:client_id>/visits/<int:visit_id>/measures/send/", views_link.send_page, name="measures_send"),
    path(
        "clients/<int:client_id>/measures-links/<int:measures_link_id>/revoke/",
        views_link.revoke,
        name="measures_link_revoke",
    ),
]
