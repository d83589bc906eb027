from django.urls import path

from taut.atlas import views

app_name = "atlas"
urlpatterns = [
    path("atlas/", views.index, name="atlas"),
    path("atlas/muscles/<slug:muscle_id>/", views.muscle, name="atlas_muscle"),
    path("atlas/nerves/<slug:nerve_id>/", views.nerve, name="atlas_nerve"),
    path("atlas/dermatomes/<str:root>/", views.dermatome, name="atlas_dermatome"),
    path("atlas/zones/<slug:zone_id>/", views.zone, name="atlas_zone"),
    path("atlas/conditions/<slug:condition_id>/", views.condition, name="atlas_condition"),
    path("atlas/exercises/<slug:exercise_id>/", views.exercise, name="atlas_exercise"),
    path("atlas/reference/<slug:kind>/", views.reference, name="atlas_reference"),
]
