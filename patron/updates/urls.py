from django.urls import path

from patron.updates import views

app_name = "updates"
urlpatterns = [
    path("marketing/updates/", views.bulk_update_index, name="index"),
    path("marketing/updates/sample.csv", views.bulk_update_sample, name="sample"),
    path("marketing/updates/<int:pk>/", views.bulk_update_detail, name="detail"),
    path("marketing/updates/<int:pk>/apply/", views.bulk_update_apply, name="apply"),
    path("marketing/updates/<int:pk>/discard/", views.bulk_update_discard, name="discard"),
    path("marketing/updates/<int:pk>/errors.csv", views.bulk_update_errors, name="errors"),
]
