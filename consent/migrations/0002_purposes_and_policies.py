from django.db import migrations


def load(apps, schema_editor):
    from consent.reference_data import load_purposes_and_policies

    load_purposes_and_policies(
        apps.get_model("consent", "Purpose"),
        apps.get_model("consent", "PolicyDocument"),
        apps.get_model("consent", "PolicyVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
