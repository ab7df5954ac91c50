from django.urls import path

from patron.customers.models import Customer
from patron.customers.views import customer_list
from patron.members import views

app_name = "members"
urlpatterns = [
    path("customers/mine/", customer_list, {"mine": True}, name="my_customers"),
    path(
        "organizations/mine/",
        customer_list,
        {"mine": True, "kind": Customer.Kind.ORGANIZATION},
        name="my_organizations",
    ),
    path("customers/<int:pk>/salesmen/", views.salesmen, name="salesmen"),
    path("customers/<int:pk>/members/add/", views.member_add, name="add"),
    path("members/<int:pk>/remove/", views.member_remove, name="remove"),
]
