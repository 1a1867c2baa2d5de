"""UpdatePreference.first_login_at (the first progress update's period starts there), and a
preference for every parent who has already signed in, scheduled from now."""

import zoneinfo

from django.db import migrations, models
from django.utils import timezone


def create_preferences(apps, schema_editor):
    # The schedule's pure function only reads plain fields, which the historical models have.
    from engagement.updates.schedule import next_update_after

    User = apps.get_model("practice", "User")
    Practice = apps.get_model("practice", "Practice")
    CommunicationPolicy = apps.get_model("practice", "CommunicationPolicy")
    UpdatePreference = apps.get_model("engagement", "UpdatePreference")
    practice = Practice.objects.order_by("pk").first()
    policy = CommunicationPolicy.objects.filter(practice=practice).first()
    if practice is None or policy is None:
        return
    if not policy.allowed_cadences:
        policy.allowed_cadences = ["weekly", "fortnightly", "monthly", "off"]
    tz = zoneinfo.ZoneInfo(practice.timezone)
    now = timezone.now()
    parents = User.objects.filter(role="parent", last_login__isnull=False).exclude(
        update_preference__isnull=False
    )
    rows = []
    for parent in parents.iterator(chunk_size=500):
        pref = UpdatePreference(
            parent=parent, cadence=policy.default_cadence, first_login_at=parent.last_login
        )
        pref.next_update_at = next_update_after(pref, policy, now, tz)
        rows.append(pref)
    UpdatePreference.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0010_progress_updates"),
        ("practice", "0005_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="updatepreference",
            name="first_login_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(create_preferences, migrations.RunPython.noop),
    ]
