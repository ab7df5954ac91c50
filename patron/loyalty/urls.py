from django.urls import path

from patron.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("customers/<int:pk>/loyalty/add/", views.points_add, name="customer_points_add"),
    path("customers/<int:pk>/loyalty/redeem/", views.points_redeem, name="customer_points_redeem"),
    path("customers/<int:pk>/loyalty/adjust/", views.points_adjust, name="customer_points_adjust"),
    path(
        "customers/<int:pk>/house-accounts/",
        views.customer_house_accounts,
        name="customer_house_accounts",
    ),
    path("setup/house-accounts/", views.HouseAccountList.as_view(), name="house_account_list"),
    path(
        "setup/house-accounts/<int:pk>/",
        views.HouseAccountEdit.as_view(),
        name="house_account_edit",
    ),
    path(
        "setup/house-accounts/<int:pk>/delete/",
        views.HouseAccountDelete.as_view(),
        name="house_account_delete",
    ),
]
