from django.urls import path

from attachments import views

# Under /filings/<pk>/, beside the filing's other pages (perfgoals/urls.py).
app_name = "attachments"
urlpatterns = [
    path("<int:pk>/attachments/", views.attachment_list, name="list"),
    path("<int:pk>/attachments/upload/", views.upload, name="upload"),
    path("<int:pk>/attachments/<uuid:key>/", views.download, name="download"),
    path("<int:pk>/attachments/<uuid:key>/delete/", views.remove, name="remove"),
]
