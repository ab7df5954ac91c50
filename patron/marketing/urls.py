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
    path("setup/traits/", views.TraitList.as_view(), name="trait_list"),
    path("setup/traits/<int:pk>/", views.TraitEdit.as_view(), name="trait_edit"),
    path("setup/traits/<int:pk>/delete/", views.TraitDelete.as_view(), name="trait_delete"),
    path(
        "setup/suppression-types/",
        views.SuppressionTypeList.as_view(),
        name="suppression_type_list",
    ),
    path(
        "setup/suppression-types/<int:pk>/",
        views.SuppressionTypeEdit.as_view(),
        name="suppression_type_edit",
    ),
    path(
        "setup/suppression-types/<int:pk>/delete/",
        views.SuppressionTypeDelete.as_view(),
        name="suppression_type_delete",
    ),
]
