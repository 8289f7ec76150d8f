app_name = "structure_admin"
urlpatterns: list = []
