from django.urls import URLPattern, path

from taut.notes import views

app_name = "notes"
V = "clients/<int:client_id>/visits/<int:visit_id>/notes/"
N = V + "<int:note_id>/"
urlpatterns: list[URLPattern] = [
    path(V + "start/", views.start_note, name="start"),
    path(N, views.note_detail, name="detail"),
    path(N + "edit/", views.edit_note, name="edit"),
    path(N + "save/", views.save_draft, name="save"),
    path(N + "sign/", views.sign_note, name="sign"),
    path(N + "addendum/", views.add_addendum, name="addendum"),
    path(N + "void/", views.void_note, name="void"),
]
T = "note-templates/"
urlpatterns += [
    path(T, views.template_list, name="templates"),
    path(T + "add/", views.template_add, name="template_add"),
    path(T + "<int:template_id>/edit/", views.template_edit, name="template_edit"),
    path(T + "<int:template_id>/delete/", views.template_delete, name="template_delete"),
]
