from django.urls import path

from patron.lists import views

app_name = "lists"
urlpatterns = [
    path("lists/", views.list_index, name="index"),
    path("lists/new/", views.wizard, name="create"),
    path("lists/new/step-<int:step>/", views.wizard, name="create_step"),
    path("lists/from-fulfilments/", views.list_from_fulfilments, name="from_fulfilments"),
    path("lists/<int:pk>/", views.list_detail, name="detail"),
    path("lists/<int:pk>/tabs/<slug:tab>/", views.list_tab, name="tab"),
    path("lists/<int:pk>/edit/", views.list_edit, name="edit"),
    path("lists/<int:pk>/delete/", views.list_delete, name="delete"),
    path(
        "lists/<int:pk>/remove-unqualified/",
        views.list_remove_unqualified,
        name="remove_unqualified",
    ),
    path("lists/<int:pk>/remove/", views.list_remove_customer, name="remove_customer"),
    path("customers/<int:pk>/lists/", views.customer_lists, name="for_customer"),
]
