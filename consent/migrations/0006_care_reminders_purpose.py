"""Add the "care_reminders" purpose (issue 11: due reminders are sent only to owners who
turned them on). Idempotent, like the loader it shares its data with."""

from django.db import migrations


def load(apps, schema_editor):
    from consent.reference_data import PURPOSES

    Purpose = apps.get_model("consent", "Purpose")  # noqa: N806
    for order, (code, name, desc, basis, category, scoped, pii, third) in enumerate(PURPOSES):
        if code != "care_reminders":
            continue
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


class Migration(migrations.Migration):
    dependencies = [("consent", "0005_rekey_email_subjects")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
