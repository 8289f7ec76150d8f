"""The 18 regions, the 101 departments and the values of the closed lists (domain.md)."""

from django.db import migrations

from maillage.referentials.seed_data import CLOSED_LIST_VALUES, DEPARTMENTS, REGIONS


def load(apps, schema_editor):
    Region = apps.get_model("referentials", "Region")
    Department = apps.get_model("referentials", "Department")
    regions = {code: Region.objects.create(code=code, name=name) for code, name in REGIONS}
    Department.objects.bulk_create(
        Department(code=code, name=name, region=regions[region]) for code, name, region in DEPARTMENTS
    )
    for model_name, labels in CLOSED_LIST_VALUES.items():
        model = apps.get_model("referentials", model_name)
        model.objects.bulk_create(model(label=label, position=index) for index, label in enumerate(labels))


def unload(apps, schema_editor):
    for model_name in [*CLOSED_LIST_VALUES, "Department", "Region"]:
        apps.get_model("referentials", model_name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("referentials", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
