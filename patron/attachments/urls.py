from django.urls import path

from patron.attachments import views

app_name = "attachments"
urlpatterns = [
    path("customers/<int:pk>/attachments/new/", views.attachment_create, name="create"),
    path("attachments/<int:pk>/", views.attachment_detail, name="detail"),
    path("attachments/<int:pk>/edit/", views.attachment_edit, name="edit"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="delete"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="download"),
]
