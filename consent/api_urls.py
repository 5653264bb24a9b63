from django.urls import path

from . import api

urlpatterns = [
    path("privacy/purposes/", api.PurposeListView.as_view(), name="consent-purposes"),
    path("privacy/consents/", api.ConsentStateView.as_view(), name="consent-states"),
    path("privacy/history/", api.ConsentHistoryView.as_view(), name="consent-history"),
    path(
        "privacy/receipts/<int:event_id>/",
        api.ConsentReceiptView.as_view(),
        name="consent-receipt",
    ),
    path("privacy/policies/", api.PoliciesView.as_view(), name="consent-policies"),
    path("privacy/policies/accept/", api.PolicyAcceptView.as_view(), name="consent-policy-accept"),
    path("privacy/unsubscribe/", api.UnsubscribeView.as_view(), name="consent-unsubscribe"),
]
