from django.urls import path

from taut.homecare import views

app_name = "homecare"
urlpatterns = [
    # the client's private link (no account)
    path("home/<str:home_token>/", views.programme, name="home_programme"),
    path("home/<str:home_token>/tick/", views.tick, name="home_tick"),
    path("home/<str:home_token>/print/", views.print_view, name="home_print"),
    path("home/<str:home_token>/programme.pdf", views.pdf_download, name="home_pdf"),
    # staff, under the client
    path("clients/<int:client_id>/home-programmes/", views.programmes, name="programmes"),
    path(
        "clients/<int:client_id>/home-programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"
    ),
    path(
        "clients/<int:client_id>/home-programmes/from-plan/<int:signed_plan_id>/",
        views.from_plan,
        name="programme_from_plan",
    ),
    path("clients/<int:client_id>/home-programmes/<int:programme_id>/send/", views.send_link, name="programme_send"),
    path(
        "clients/<int:client_id>/home-programmes/links/<int:home_link_id>/revoke/",
        views.revoke_link,
        name="link_revoke",
    ),
]
