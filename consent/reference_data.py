"""The purposes of processing VetPass asks about, and the first policy versions."""

PURPOSES = [
    # code, name, description, lawful basis, Kantara category, scoped, pii categories, 3rd party
    (
        "marketing_email",
        "Marketing email",
        "News, offers and tips from VetPass by email. You can stop them at any time.",
        "consent",
        "Marketing",
        False,
        "Contact details",
        False,
    ),
    (
        "marketing_sms",
        "Marketing text messages",
        "Offers and reminders from VetPass by text message.",
        "consent",
        "Marketing",
        False,
        "Contact details",
        False,
    ),
    (
        "tracking_pixels",
        "Tracking pixels in marketing email",
        "A tiny image in our marketing emails that tells us whether you opened them.",
        "consent",
        "Marketing",
        False,
        "Technical data",
        False,
    ),
    (
        "practice_sharing",
        "Sharing with a practice you favorited",
        "Your details and the records you choose are shared with a practice you favorited, so it "
        "can treat your animals. Given per practice.",
        "consent",
        "Core function",
        True,
        "Identity; contact details; animal health records",
        True,
    ),
    (
        "reimbursement_sharing",
        "Sharing service details for reimbursement",
        "Details of services you used are shared with your insurer, employer or membership group "
        "so they can reimburse you.",
        "consent",
        "Core function",
        True,
        "Identity; service details",
        True,
    ),
    (
        "analytics",
        "De-identified analytics",
        "De-identified figures about how VetPass is used, to improve it.",
        "consent",
        "Improve performance",
        False,
        "Usage data (de-identified)",
        False,
    ),
    (
        "research",
        "Research and statistics",
        "De-identified animal health data used for veterinary research and statistics.",
        "consent",
        "Research",
        False,
        "Animal health data (de-identified)",
        True,
    ),
    (
        "cookies_analytics",
        "Analytics cookies",
        "Cookies that count visits and show which pages are used. Essential cookies are always on.",
        "consent",
        "Improve performance",
        False,
        "Technical data",
        False,
    ),
    (
        "care_reminders",
        "Care reminders by email",
        "An email 30 days and 7 days before, and on the day, a vaccination or treatment "
        "recorded for your animals is due. You can stop them at any time.",
        "consent",
        "Core function",
        False,
        "Contact details; animal health records",
        False,
    ),
]

POLICY_DOCUMENTS = [
    (
        "terms",
        "Terms of service",
        "1.0",
        "These terms govern your use of VetPass. You keep ownership of your animals' records.",
    ),
    (
        "privacy",
        "Privacy policy",
        "1.0",
        "VetPass is the controller of your account data. We share your animals' records only with "
        "practices you favorite, under a consent you can see and withdraw at any time. After 18 "
        "months without use we will write to you; we remove an account no earlier than 21 months "
        "without use and never less than three months after that notice.",
    ),
    (
        "cookies",
        "Cookie policy",
        "1.0",
        "We use essential cookies to keep you signed in and secure. Analytics cookies are set only "
        "if you agree.",
    ),
]


def load_purposes_and_policies(Purpose, PolicyDocument, PolicyVersion) -> None:  # noqa: N803
    """Idempotent: used by the data migration and by tests that flush the database."""
    from datetime import UTC, datetime

    for order, (code, name, desc, basis, category, scoped, pii, third) in enumerate(PURPOSES):
        Purpose.objects.update_or_create(
            code=code,
            defaults=dict(
                name=name,
                description=desc,
                lawful_basis=basis,
                category=category,
                scoped=scoped,
                pii_categories=pii,
                third_party_disclosure=third,
                ordering=order,
            ),
        )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for kind, title, version, body in POLICY_DOCUMENTS:
        doc, _ = PolicyDocument.objects.update_or_create(kind=kind, defaults={"title": title})
        PolicyVersion.objects.get_or_create(
            document=doc,
            version=version,
            defaults=dict(
                effective_from=start, requires_acceptance=False, body=body, summary="First version."
            ),
        )
