from django.urls import URLPattern, path

from taut.plans import views

app_name = "plans"
urlpatterns: list[URLPattern] = [
    path("clients/<int:client_id>/visits/<int:visit_id>/plan/", views.create_plan, name="create_plan"),
    path("clients/<int:client_id>/plans/", views.client_plans, name="client_plans"),
    path("clients/<int:client_id>/plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("clients/<int:client_id>/plans/<int:plan_id>/edit/", views.edit_plan, name="edit_plan"),
    path("clients/<int:client_id>/plans/<int:plan_id>/sign/", views.sign_plan, name="sign_plan"),
    path("clients/<int:client_id>/plans/<int:plan_id>/history/", views.plan_history, name="plan_history"),
]
