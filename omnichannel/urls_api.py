"""The API tier's URLs (omnichannel/settings_api.py): the API and the health check, nothing else."""

from django.urls import include, path

from omnichannel.views import healthz, readyz

handler400 = "omnichannel.views.bad_request"
handler403 = "omnichannel.views.permission_denied"
handler404 = "omnichannel.views.page_not_found"
handler500 = "omnichannel.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(("omnichannel.api.urls", "api"))),
]
