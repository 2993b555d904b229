"""An amended answer of an approved visit changes what the report states in the plan's
terms (the snapshot's "items": reports/provincial.py), so it bumps the campaign's data
version too. Only an approved visit's answers: those of a visit still being filled are
not in a report's text, and bumping on each of them would make every phone's answer wait
on the campaign's one version row."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION reports_answer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(v.campaign_id) FROM inspections_visit v
     WHERE v.id IN (OLD.visit_id, NEW.visit_id) AND v.status = 'approved';
    RETURN NULL;
END $$;
CREATE TRIGGER reports_answer_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_answer
    FOR EACH ROW EXECUTE FUNCTION reports_answer_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reports_answer_changed ON inspections_answer;
DROP FUNCTION IF EXISTS reports_answer_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_data_version_triggers")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
