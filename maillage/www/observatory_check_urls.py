app_name = "observatory_check"
urlpatterns: list = []
