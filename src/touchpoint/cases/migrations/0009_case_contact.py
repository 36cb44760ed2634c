from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def given_with_each_case(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Cases opened before a case kept its own contact: the name on the return address given with the
    order where there is one, else the customer record's name; the record's phone (all we have)."""
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.select_related("customer").iterator(chunk_size=500):
        address = case.data.get("return_address") if isinstance(case.data, dict) else None
        given = str(address.get("name") or "") if isinstance(address, dict) else ""
        case.contact_name = (given or case.customer.name)[:200]
        case.contact_phone = case.customer.phone[:40]
        case.save(update_fields=["contact_name", "contact_phone"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_held_surveys"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="contact_name",
            field=models.CharField(blank=True, help_text="The name given with this case's order", max_length=200),
        ),
        migrations.AddField(
            model_name="case",
            name="contact_phone",
            field=models.CharField(blank=True, help_text="The phone given with this case's order", max_length=40),
        ),
        migrations.RunPython(given_with_each_case, migrations.RunPython.noop),
    ]
