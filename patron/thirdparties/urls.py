from django.urls import path

from patron.thirdparties import views

app_name = "thirdparties"
urlpatterns = [
    path("customers/<int:pk>/third-parties/add/", views.third_party_add, name="add"),
    path("third-parties/<int:pk>/", views.third_party_detail, name="detail"),
    path("third-parties/<int:pk>/edit/", views.ThirdPartyEdit.as_view(), name="edit"),
    path("third-parties/<int:pk>/delete/", views.ThirdPartyDelete.as_view(), name="delete"),
]
