from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("maillage.api.urls")),
    path("", include("maillage.www.health_urls")),
    path("", include("maillage.www.account_urls")),
    path("", include("maillage.www.contribute_urls")),
    path("", include("maillage.www.moderation_urls")),
    path("", include("maillage.www.structure_admin_urls")),
    path("", include("maillage.www.observatory_import_urls")),
    path("", include("maillage.www.observatory_admin_urls")),
    path("", include("maillage.www.observatory_fill_urls")),
    path("", include("maillage.www.observatory_check_urls")),
    path("", include("maillage.www.observatory_urls")),
    path("", include("maillage.www.urls")),
]
handler400 = "maillage.www.errors.bad_request"
# A database lock wait that ran out (SQLite, during a long write) is a 503 asking to retry.
handler500 = "maillage.www.busy.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
