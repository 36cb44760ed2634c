# Reply tokens for existing cases are filled in before the column becomes unique (Django's
# documented three-step pattern for adding a unique field to a table that has rows).
from typing import Any

from django.db import migrations, models

import touchpoint.core.ids


def fill_tokens(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(reply_token__isnull=True).only("pk"):
        case.reply_token = touchpoint.core.ids.new_reply_token()
        case.save(update_fields=["reply_token"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="customer_sentiment",
            field=models.FloatField(
                blank=True, help_text="VADER compound score of the customer's latest message (-1 … 1)", null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="customer_sentiment_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="reply_token",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="reply_token",
            field=models.CharField(
                default=touchpoint.core.ids.new_reply_token,
                help_text="Replies to reply+<token>@… join this case",
                max_length=32,
                unique=True,
            ),
        ),
    ]
