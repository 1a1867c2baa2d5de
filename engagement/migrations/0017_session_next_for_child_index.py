"""A partial index on each child's scheduled sessions by start: the caseload finds every
child's next session with one index lookup per child rather than reading all its sessions."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0016_family_signals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sessionlog",
            index=models.Index(
                condition=models.Q(("status", "scheduled")),
                fields=["child", "scheduled_start"],
                name="session_next_for_child",
            ),
        ),
    ]
