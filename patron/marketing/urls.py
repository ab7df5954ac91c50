from django.urls import path

from patron.marketing import views

app_name = "marketing"
urlpatterns = [
    path(
        "customers/<int:pk>/suppressions/add/",
        views.customer_suppression_add,
        name="customer_suppression_add",
    ),
    path("customers/<int:pk>/traits/", views.customer_traits, name="customer_traits"),
    path("suppressions/<int:pk>/delete/", views.suppression_delete, name="suppression_delete"),
    path("setup/traits/", views.trait_list, name="trait_list"),
    path("setup/traits/<int:pk>/", views.trait_edit, name="trait_edit"),
    path("setup/traits/<int:pk>/delete/", views.trait_delete, name="trait_delete"),
    path("setup/suppression-types/", views.suppression_type_list, name="suppression_type_list"),
    path(
        "setup/suppression-types/<int:pk>/",
        views.suppression_type_edit,
        name="suppression_type_edit",
    ),
    path(
        "setup/suppression-types/<int:pk>/delete/",
        views.suppression_type_delete,
        name="suppression_type_delete",
    ),
]
