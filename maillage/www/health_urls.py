from django.urls import path

from . import health

app_name = "health"
urlpatterns = [
    path("sante/vivant", health.alive, name="alive"),
    path("sante/pret", health.ready, name="ready"),
]
