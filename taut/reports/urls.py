from django.urls import path

from taut.reports import views

app_name = "reports"
urlpatterns = [
    path("clients/<int:client_id>/progress/", views.progress_page, name="progress"),
    path("clients/<int:client_id>/reports/<str:report_kind>.pdf", views.report_pdf, name="report_pdf"),
]
