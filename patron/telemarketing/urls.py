from django.urls import path

from patron.telemarketing import views

app_name = "telemarketing"
urlpatterns = [
    path("telemarkets/", views.telemarket_list, name="telemarket_list"),
    path("telemarkets/new/", views.TelemarketCreate.as_view(), name="telemarket_create"),
    path("telemarkets/<int:pk>/", views.telemarket_detail, name="telemarket_detail"),
    path("telemarkets/<int:pk>/edit/", views.TelemarketEdit.as_view(), name="telemarket_edit"),
    path(
        "telemarkets/<int:pk>/change-step/",
        views.telemarket_change_step,
        name="telemarket_change_step",
    ),
    path(
        "telemarkets/<int:pk>/delete/", views.TelemarketDelete.as_view(), name="telemarket_delete"
    ),
    path(
        "telemarkets/<int:pk>/responses/",
        views.telemarket_responses,
        name="telemarket_responses",
    ),
    path("telemarkets/<int:pk>/steps/add/", views.telemarket_step_add, name="telemarket_step_add"),
    # A step's and a branch's own pages take only their id: the script it belongs to follows.
    path("script-steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("script-steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("script-steps/<int:pk>/move/", views.step_move, name="step_move"),
    path("script-steps/<int:pk>/branches/add/", views.step_branch_add, name="step_branch_add"),
    path("step-branches/<int:pk>/delete/", views.branch_delete, name="branch_delete"),
    # Create a Response/Run Telemarket, from the customer's left menu: the customer's pk.
    path(
        "customers/<int:pk>/telemarkets/",
        views.customer_telemarkets,
        name="customer_telemarkets",
    ),
    path("tm-responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("tm-responses/<int:pk>/run/", views.response_run, name="response_run"),
    path("tm-responses/<int:pk>/delete/", views.response_delete, name="response_delete"),
]
