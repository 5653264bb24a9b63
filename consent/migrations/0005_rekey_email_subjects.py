"""Ledger subjects without an account were keyed `email:<address>`, a direct identifier in
a table that can never be erased. Re-key them by the keyed hash (consent.services.
subject_key_for), keep the address in the erasable EmailSubject table, and re-chain each
affected subject's events so verify_consent_ledger still passes. Nothing is in production
yet; this makes every existing install (and the demo data) match."""

from django.db import migrations


def rekey(apps, schema_editor):
    import pgtrigger

    from consent.models import event_hash
    from consent.services import subject_key_for

    ConsentEvent = apps.get_model("consent", "ConsentEvent")
    EmailSubject = apps.get_model("consent", "EmailSubject")
    old_keys = (
        ConsentEvent.objects.filter(subject_key__startswith="email:", subject_key__contains="@")
        .values_list("subject_key", flat=True)
        .distinct()
    )
    with pgtrigger.ignore("consent.ConsentEvent:consent_event_append_only"):
        for old_key in list(old_keys):
            address = old_key.removeprefix("email:")
            new_key = subject_key_for(address)
            EmailSubject.objects.get_or_create(subject_key=new_key, defaults={"email": address})
            prev_hash = ""
            events = ConsentEvent.objects.filter(subject_key=old_key).select_related(
                "purpose"
            )
            for event in events.order_by("sequence"):
                event.subject_key = new_key
                event.prev_hash = prev_hash
                event.hash = event_hash(event)
                ConsentEvent.objects.filter(pk=event.pk).update(
                    subject_key=new_key, prev_hash=event.prev_hash, hash=event.hash
                )
                prev_hash = event.hash


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_email_subjects")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
