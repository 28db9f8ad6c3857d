from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:bureau>/", views.library, name="library"),
    path("<int:bureau>/load/", views.load_library, name="load"),
]
