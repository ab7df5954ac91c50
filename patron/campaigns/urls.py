from django.urls import path

from patron.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("marketing/campaigns/", views.campaign_list, name="campaign_list"),
    path("marketing/campaigns/new/", views.CampaignCreate.as_view(), name="campaign_create"),
    path("marketing/campaigns/<int:pk>/edit/", views.CampaignEdit.as_view(), name="campaign_edit"),
    path(
        "marketing/campaigns/<int:pk>/delete/",
        views.CampaignDelete.as_view(),
        name="campaign_delete",
    ),
    path("marketing/activities/", views.activity_list, name="activity_list"),
    path("marketing/activities/new/", views.ActivityCreate.as_view(), name="activity_create"),
    path("marketing/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("marketing/activities/<int:pk>/edit/", views.ActivityEdit.as_view(), name="activity_edit"),
    path(
        "marketing/activities/<int:pk>/step/",
        views.activity_change_step,
        name="activity_change_step",
    ),
    path(
        "marketing/activities/<int:pk>/delete/",
        views.ActivityDelete.as_view(),
        name="activity_delete",
    ),
    path("customers/<int:pk>/fulfilments/new/", views.fulfilment_create, name="fulfilment_create"),
    path("fulfilments/<int:pk>/", views.fulfilment_detail, name="fulfilment_detail"),
    path("fulfilments/<int:pk>/edit/", views.fulfilment_edit, name="fulfilment_edit"),
    path("fulfilments/<int:pk>/delete/", views.fulfilment_delete, name="fulfilment_delete"),
]
