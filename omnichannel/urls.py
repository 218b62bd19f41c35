from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from notifications.return_pages import return_page, start_return_page
from notifications.views import reservation_page, tracking_page, twilio_status
from omnichannel.views import healthz, readyz

handler400 = "omnichannel.views.bad_request"
handler403 = "omnichannel.views.permission_denied"
handler404 = "omnichannel.views.page_not_found"
handler500 = "omnichannel.views.server_error"

admin.site.site_header = "Omnichannel OMS"
admin.site.site_title = "Omnichannel OMS"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="stores:dashboard", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("notifications/twilio/status/", twilio_status, name="twilio-status"),
    path("track/<str:token>/", tracking_page, name="tracking-page"),
    path("reservation/<str:token>/", reservation_page, name="reservation-page"),
    path("track/<str:token>/return/", start_return_page, name="start-return-page"),
    path("return/<str:token>/", return_page, name="return-page"),
    path("api/v1/", include(("omnichannel.api.urls", "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(template_name="stores/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", include("stores.urls")),
    path("care/", include("support_playbook.care_urls")),
    path("dashboard/<slug:store>/stock/", include("inventory.urls")),
    path("dashboard/<slug:store>/orders/", include("orders.fulfillment.urls")),
    path("dashboard/<slug:store>/reservations/", include("orders.reservations.urls")),
    path("dashboard/<slug:store>/returns/", include("orders.returns.urls")),
    path("dashboard/<slug:store>/tasks/", include("support_playbook.urls")),
    path("dashboard/<slug:store>/scorecard/", include("support_playbook.scorecard_urls")),
]
