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
]
