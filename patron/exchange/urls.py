from django.urls import path

from patron.exchange import views
from patron.exchange.export import FORMATS

app_name = "exchange"
# One URL per format, ending like the file it gives (customers/export.csv).
urlpatterns = [
    *(
        path(
            f"customers/export.{file_format}",
            views.customers_export,
            {"file_format": file_format},
            name=f"customers_{file_format}",
        )
        for file_format in FORMATS
    ),
    *(
        path(
            f"lists/<int:pk>/export.{file_format}",
            views.list_export,
            {"file_format": file_format},
            name=f"list_{file_format}",
        )
        for file_format in FORMATS
    ),
    # The import wizard: step 1 for customers or for a new list, then shared steps.
    path("customers/import/", views.import_start, name="import"),
    path("lists/import/", views.list_import_start, name="list_import"),
    path("customers/import/upload/", views.import_upload, name="import_upload"),
    path("customers/import/sample.csv", views.import_sample, name="import_sample"),
    path("customers/import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path(
        "customers/import/<int:pk>/validation/",
        views.import_validation,
        name="import_validation",
    ),
    path("customers/import/<int:pk>/matching/", views.import_matching, name="import_matching"),
    path("customers/import/<int:pk>/check/", views.import_check, name="import_check"),
    path(
        "customers/import/<int:pk>/check/progress/",
        views.import_check_progress,
        name="import_check_progress",
    ),
    path("customers/imports/", views.import_list, name="imports"),
    path("customers/imports/<int:pk>/", views.import_job, name="import_job"),
    path(
        "customers/imports/<int:pk>/failed-rows.csv",
        views.import_failed_rows,
        name="import_failed_rows",
    ),
    path(
        "customers/imports/<int:pk>/customers/",
        views.import_customers,
        name="import_customers",
    ),
]
