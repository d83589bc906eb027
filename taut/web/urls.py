from django.urls import include, path

from taut.api.v1 import api
from taut.web import views

urlpatterns = [
    path("", include("taut.access.urls")),
    path("", include("taut.clients.urls")),
    path("", include("taut.atlas.urls")),
    path("", include("taut.assessments.urls")),
    path("", include("taut.intake.urls")),
    path("", include("taut.motion.urls")),
    path("", include("taut.safety.urls")),
    path("", include("taut.plans.urls")),
    path("", include("taut.notes.urls")),
    path("", include("taut.homecare.urls")),
    path("", include("taut.privacy.urls")),
    path("", include("taut.reports.urls")),
    path("", include("taut.directory.urls")),
    path("self-care/", include("taut.selfcare.urls")),
    path("api/v1/", api.urls),
    path("healthz", views.healthz, name="healthz"),
]

handler404 = "taut.web.views.not_found"
handler403 = "taut.web.views.forbidden"
handler500 = "taut.web.views.server_error"
