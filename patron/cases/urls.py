from django.urls import path

from patron.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("customers/<int:pk>/cases/new/", views.case_create, name="create"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="edit"),
    path("cases/<int:pk>/status/", views.case_status, name="status"),
    path("cases/<int:pk>/delete/", views.case_delete, name="delete"),
    path("setup/reason-codes/", views.ReasonCodeList.as_view(), name="reason_code_list"),
    path("setup/reason-codes/<int:pk>/", views.ReasonCodeEdit.as_view(), name="reason_code_edit"),
    path(
        "setup/reason-codes/<int:pk>/delete/",
        views.ReasonCodeDelete.as_view(),
        name="reason_code_delete",
    ),
]
