from django.urls import path

from . import views

app_name = "www"
urlpatterns = [
    path("", views.home, name="home"),
    path("actions/<int:pk>-<slug:slug>/", views.action_detail, name="action-detail"),
    path("actions/<int:pk>/", views.action_detail, name="action-permalink"),
    path("structures/<int:pk>/", views.structure_detail, name="structure-detail"),
]
