from django.urls import path

from patron.stream import views

app_name = "stream"
urlpatterns = [
    # These two hang off the customer: their pk is the customer's.
    path("customers/<int:pk>/posts/", views.customer_posts, name="customer_posts"),
    path("customers/<int:pk>/posts/new/", views.post_create, name="customer_post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    # Comment on a post: the pk is the post's.
    path("posts/<int:pk>/comments/", views.comment_create, name="post_comment"),
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
]
