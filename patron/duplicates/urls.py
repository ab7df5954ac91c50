from django.urls import path

from patron.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("duplicates/", views.review_queue, name="index"),
    path("duplicates/scan/", views.scan_start, name="scan_start"),
    path("duplicates/scans/<int:pk>/", views.scan_progress, name="scan"),
    path("duplicates/<int:pk>/", views.pair_detail, name="pair"),
    path("duplicates/<int:pk>/not-duplicate/", views.not_duplicate, name="not_duplicate"),
    path("duplicates/merge/", views.merge_new, name="merge_new"),
    path("duplicates/merge/customer/<int:pk>/", views.merge_start, name="merge_start"),
    path("duplicates/merges/", views.merge_list, name="merges"),
    path("duplicates/merges/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("duplicates/merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
