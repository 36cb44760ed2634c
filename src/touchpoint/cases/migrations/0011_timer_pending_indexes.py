"""The timers' indexes cover pending rows only: the sweep's claim order (due_at, id), and a case's
pending timers (what a move cancels) instead of every timer by (case, status)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_eta_figures"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="timer", name="timer_pending_due"),
        migrations.RemoveIndex(model_name="timer", name="timer_case_status"),
        migrations.AddIndex(
            model_name="timer",
            index=models.Index(
                condition=models.Q(("status", "pending")), fields=["due_at", "id"], name="timer_pending_due"
            ),
        ),
        migrations.AddIndex(
            model_name="timer",
            index=models.Index(condition=models.Q(("status", "pending")), fields=["case"], name="timer_case_pending"),
        ),
    ]
