from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import admin_login

urlpatterns = [
    # Before the admin's own URLs: the sign-in page with a brake on password guessing.
    path("admin/login/", admin_login.login),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("", include("ostsite.health")),
    path("", include("ostsite.discovery")),
    path("", include("catalog.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
