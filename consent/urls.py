from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("", views.privacy_centre, name="home"),
    path("consents/", views.consent_change, name="consent_change"),
    path("history/", views.history, name="history"),
    path("receipts/<int:event_id>.json", views.receipt_download, name="receipt"),
    path("policies/accept/", views.policy_accept_view, name="policy_accept"),
    path("policies/<slug:kind>/", views.policy_show, name="policy"),
    path("policies/<slug:kind>/<str:version>/", views.policy_show, name="policy_version"),
    path("cookies/", views.cookie_settings, name="cookies"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("email/open/<str:token>.gif", views.pixel, name="pixel"),
]
