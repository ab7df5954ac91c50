from django.urls import path

from patron.sales import views

app_name = "sales"
urlpatterns = [
    path("setup/items/", views.ItemList.as_view(), name="item_list"),
    path("setup/items/currency/", views.currency_set, name="currency_set"),
    path("setup/items/<int:pk>/", views.ItemEdit.as_view(), name="item_edit"),
    path("setup/price-levels/", views.PriceLevelList.as_view(), name="price_level_list"),
    path("setup/price-levels/<int:pk>/", views.PriceLevelEdit.as_view(), name="price_level_edit"),
    path(
        "setup/price-levels/<int:pk>/delete/",
        views.PriceLevelDelete.as_view(),
        name="price_level_delete",
    ),
    path(
        "customers/<int:pk>/price-level/",
        views.customer_price_level,
        name="customer_price_level",
    ),
    path("customers/<int:pk>/quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/status/", views.quote_status, name="quote_status"),
    path("quotes/<int:pk>/lines/add/", views.quote_line_add, name="quote_line_add"),
    path("quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path("quote-lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("quote-lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path(
        "customers/<int:pk>/service-contracts/new/",
        views.contract_create,
        name="contract_create",
    ),
    path("service-contracts/", views.contract_list, name="contract_list"),
    path("service-contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("service-contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("service-contracts/<int:pk>/delete/", views.contract_delete, name="contract_delete"),
]
