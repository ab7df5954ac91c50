from django.urls import path

from patron.notes import views

app_name = "notes"
urlpatterns = [
    # Add Note hangs off the customer: its pk is the customer's.
    path("customers/<int:pk>/notes/new/", views.note_create, name="create"),
    path("notes/<int:pk>/", views.note_detail, name="detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="edit"),
    path("notes/<int:pk>/delete/", views.note_delete, name="delete"),
    path("notes/<int:pk>/done/", views.callback_done, name="done"),
    path("notes/<int:pk>/undone/", views.callback_undone, name="undone"),
    path("callbacks/", views.my_callbacks, name="my_callbacks"),
    path("callbacks/calendar/", views.calendar_settings, name="calendar"),
    path("callbacks/calendar/<slug:token>.ics", views.calendar_feed, name="feed"),
]
