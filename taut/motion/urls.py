from django.urls import path

from taut.motion import views

V = "clients/<int:client_id>/visits/<int:visit_id>"
urlpatterns = [
    path(f"{V}/posture/", views.posture, name="posture"),
    path(f"{V}/posture/<int:photo_id>/", views.posture_photo, name="posture_photo"),
    path(f"{V}/posture/<int:photo_id>/image", views.posture_image, name="posture_image"),
    path(f"{V}/posture/<int:photo_id>/annotated.png", views.posture_annotated, name="posture_annotated"),
    path("clients/<int:client_id>/posture/compare/", views.posture_compare, name="posture_compare"),
    path(f"{V}/gait/", views.gait, name="gait"),
    path(f"{V}/gait/import", views.gait_import, name="gait_import"),
    path(f"{V}/gait/<int:video_id>/", views.gait_video, name="gait_video"),
    path(f"{V}/gait/<int:video_id>/status", views.gait_status, name="gait_status"),
    path(f"{V}/gait/<int:video_id>/plot.png", views.gait_plot, name="gait_plot"),
    path(f"{V}/gait/<int:video_id>/people.jpg", views.gait_frame, name="gait_frame"),
]

app_name = "motion"
urlpatterns += [
    path(f"{V}/rom-photos/", views.rom_photos, name="rom_photos"),
    path(f"{V}/rom-photos/<int:rom_photo_id>/", views.rom_photo, name="rom_photo"),
    path(f"{V}/rom-photos/<int:rom_photo_id>/apply", views.rom_photo_apply, name="rom_photo_apply"),
    path(f"{V}/rom-photos/<int:rom_photo_id>/image", views.rom_photo_image, name="rom_photo_image"),
]
