"""A partial index on scheduled sessions' starts: the session-reminder tick reads the
sessions starting in the next few days, O(upcoming) rather than O(all sessions)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0011_update_preference_first_login"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sessionlog",
            index=models.Index(
                condition=models.Q(("status", "scheduled")),
                fields=["scheduled_start"],
                name="session_upcoming",
            ),
        ),
    ]
