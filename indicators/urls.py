from django.urls import path

app_name = "indicators"
urlpatterns: list = [
    # The indicator editor (indicators/views.py) and the library (indicators/library_views.py)
    # add their URLs here.
]
