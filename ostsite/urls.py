from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

# A database that does not answer is a 503 with our page, not a 500 (see the module).
handler500 = "ostsite.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("ostsite.health")),
    path("", include("ostsite.discovery")),
    path("", include("catalog.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
