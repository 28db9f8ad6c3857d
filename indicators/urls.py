from django.urls import path

from indicators import library_views, views

app_name = "indicators"
urlpatterns: list = [
    # The indicator editor (indicators/views.py) and the library (indicators/library_views.py)
    # add their URLs here.
    path("filing/<int:pk>/editor/", views.editor_page, name="editor_page"),
    path("filing/<int:pk>/rows/", views.save_rows, name="save_rows"),
    path("filing/<int:pk>/paste/", views.parse_paste, name="parse_paste"),
    path("parse-value/", views.parse_value_view, name="parse_value"),
    path("library/", library_views.library, name="library"),
    path("library/suggest/", library_views.library_suggest, name="library_suggest"),
    path("library/add/", library_views.library_add, name="library_add"),
]
