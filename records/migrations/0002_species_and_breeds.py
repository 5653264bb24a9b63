from django.db import migrations


def load(apps, schema_editor):
    from records.reference_data import load_species

    load_species(apps.get_model("records", "Species"), apps.get_model("records", "Breed"))


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
