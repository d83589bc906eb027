from django.urls import path

from taut.assessments import views

urlpatterns = [
    path("reasoning/preview/", views.preview, name="reasoning_preview"),
    path("clients/<int:client_id>/visits/<int:visit_id>/pain-chart/", views.pain_chart, name="pain_chart"),
    path("clients/<int:client_id>/visits/<int:visit_id>/range-of-motion/", views.rom, name="rom"),
]
