from django.urls import path

from patron.customers import organization_picker, views
from patron.customers.models import Customer

app_name = "customers"
urlpatterns = [
    path("customers/", views.customer_list, name="list"),
    path(
        "organizations/",
        views.customer_list,
        {"kind": Customer.Kind.ORGANIZATION},
        name="organizations",
    ),
    path("customers/new/", views.customer_create, name="create"),
    path("customers/recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("customers/suggest/", views.search_suggestions, name="suggest"),
    path(
        "customers/organization-options/",
        organization_picker.organization_options,
        name="organization_options",
    ),
    path("customers/bulk-delete/", views.bulk_delete, name="bulk_delete"),
    path("customers/bulk-deletions/", views.bulk_deletions, name="bulk_deletions"),
    path("customers/bulk-deletions/<int:pk>/", views.bulk_deletion, name="bulk_deletion"),
    path("customers/<int:pk>/", views.customer_detail, name="detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="edit"),
    path("customers/<int:pk>/tabs/<slug:tab>/", views.customer_tab, name="tab"),
    path("customers/<int:pk>/archive/", views.customer_archive, name="archive"),
    path("customers/<int:pk>/unarchive/", views.customer_unarchive, name="unarchive"),
    path("customers/<int:pk>/void/", views.customer_void, name="void"),
    path("customers/<int:pk>/delete/", views.customer_delete, name="delete"),
    path("customers/<int:pk>/restore/", views.customer_restore, name="restore"),
    path("customers/<int:pk>/release/", views.customer_release, name="release"),
    path("customers/<int:pk>/approve/", views.customer_approve, name="approve"),
    path("customers/<int:pk>/decline/", views.customer_decline, name="decline"),
]
