"""The services a practice can offer: veterinary care, specialist referrals and animal
service providers (walking, grooming, behaviour, boarding, kennels)."""

from django.db import migrations

SERVICES = [
    ("general-practice", "General practice", "clinical"),
    ("emergency", "Emergency and out-of-hours care", "clinical"),
    ("vaccination", "Vaccinations", "clinical"),
    ("surgery", "Surgery", "clinical"),
    ("dentistry", "Dentistry", "clinical"),
    ("farm-animal", "Farm animal care", "clinical"),
    ("equine", "Equine care", "clinical"),
    ("exotics", "Exotic pets", "clinical"),
    ("cardiology", "Cardiology", "specialist"),
    ("dermatology", "Dermatology", "specialist"),
    ("oncology", "Oncology", "specialist"),
    ("orthopaedics", "Orthopaedics", "specialist"),
    ("ophthalmology", "Ophthalmology", "specialist"),
    ("neurology", "Neurology", "specialist"),
    ("diagnostic-imaging", "Diagnostic imaging", "specialist"),
    ("walking", "Dog walking", "provider"),
    ("grooming", "Grooming", "provider"),
    ("behaviour", "Behaviour and training", "provider"),
    ("boarding", "Boarding", "provider"),
    ("kennels", "Kennels", "provider"),
]


def load(apps, schema_editor):
    Service = apps.get_model("records", "Service")
    for slug, name, category in SERVICES:
        Service.objects.update_or_create(slug=slug, defaults={"name": name, "category": category})


class Migration(migrations.Migration):
    dependencies = [("records", "0003_practice_sharing_and_access_log")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
