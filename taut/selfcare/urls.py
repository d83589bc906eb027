from django.urls import path

from taut.selfcare import views

app_name = "selfcare"
urlpatterns = [
    # public, no login, knowledge-base content only
    path("", views.index, name="index"),
    path("conditions/<slug:condition_id>/", views.condition, name="condition"),
    path("exercises/<slug:exercise_id>/", views.exercise, name="exercise"),
]
