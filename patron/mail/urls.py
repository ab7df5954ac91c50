from django.urls import path

from patron.mail import views

app_name = "mail"
urlpatterns = [
    # Send email hangs off the customer: its pk is the customer's.
    path("customers/<int:pk>/email/", views.compose, name="compose"),
    path("emails/<int:pk>/", views.email_detail, name="detail"),
]
