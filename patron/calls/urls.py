from django.urls import path

from patron.calls import views

app_name = "calls"
urlpatterns = [
    path("calls/", views.call_list, name="list"),
    path("calls/new/", views.call_new, name="new"),
    path("customers/<int:pk>/calls/new/", views.call_for_customer, name="for_customer"),
    path("calls/<int:pk>/", views.call_detail, name="detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="edit"),
    path("calls/<int:pk>/delete/", views.call_delete, name="delete"),
]
