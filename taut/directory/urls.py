from django.urls import path

from taut.directory import views

app_name = "directory"
urlpatterns = [
    # public, no login
    path("find/", views.find, name="find"),
    path("find/practitioners/<int:listing_id>/", views.public_listing, name="public_listing"),
    path("find/practitioners/<int:listing_id>/contact/", views.contact_practitioner, name="contact"),
    # the logged-in practitioner's own listing; the owner's CSV
    path("directory/listing/", views.my_listing, name="my_listing"),
    path("directory/listing/withdraw/", views.withdraw, name="withdraw"),
    path("directory/listings.csv", views.export, name="export"),
    path("directory/import/", views.import_csv, name="import"),
]
