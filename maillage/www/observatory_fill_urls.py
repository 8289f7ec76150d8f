app_name = "observatory_fill"
urlpatterns: list = []
