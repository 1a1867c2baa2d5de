# Audit events are append-only: on PostgreSQL the database itself refuses an UPDATE or DELETE
# of a row, whatever the path (raw SQL, a shell, another program). SQLite keeps the refusal in
# the model and queryset only. TRUNCATE is left alone: tests flush tables with it.

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION practice_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit events are append-only: % refused on practice_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS practice_auditevent_append_only ON practice_auditevent;
CREATE TRIGGER practice_auditevent_append_only
    BEFORE UPDATE OR DELETE ON practice_auditevent
    FOR EACH ROW EXECUTE FUNCTION practice_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS practice_auditevent_append_only ON practice_auditevent;
DROP FUNCTION IF EXISTS practice_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0002_safety_concerns_break_glass_staff_mfa"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
