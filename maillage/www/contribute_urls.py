app_name = "contribute"
urlpatterns: list = []
