"""The triggers that bump a campaign's DataVersion in the same transaction as each change to
what a report's snapshot counts (reports/provincial.py: take_snapshot), whichever path
makes it. Bumping twice is harmless; missing one is not, hence triggers rather than calls in
each service: a queryset update, the admin and an import are caught too."""

from django.db import migrations

# The visit statuses a snapshot reads: approved (counted) and the ones it reports as pending.
COUNTED = "ARRAY['approved', 'in_progress', 'submitted', 'returned']"

FORWARD = f"""
CREATE FUNCTION reports_bump_version(changed_campaign bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO reports_dataversion (campaign_id, version) SELECT changed_campaign, 1 WHERE changed_campaign IS NOT NULL
    ON CONFLICT (campaign_id) DO UPDATE SET version = reports_dataversion.version + 1;
$$;

CREATE FUNCTION reports_bump_every_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reports_dataversion (campaign_id, version) SELECT id, 1 FROM inspections_campaign ORDER BY id
    ON CONFLICT (campaign_id) DO UPDATE SET version = reports_dataversion.version + 1;
    RETURN NULL;
END $$;

-- A visit counts while approved or pending: its other changes (figures typed in the field,
-- a schedule moved) do not touch a snapshot.
CREATE FUNCTION reports_visit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.campaign_id = NEW.campaign_id
       AND NEW.status <> 'approved' THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = ANY({COUNTED}) THEN PERFORM reports_bump_version(OLD.campaign_id); END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = ANY({COUNTED}) THEN PERFORM reports_bump_version(NEW.campaign_id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_visit_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_visit
    FOR EACH ROW EXECUTE FUNCTION reports_visit_changed();

CREATE FUNCTION reports_correction_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(v.campaign_id) FROM inspections_visit v
        WHERE v.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.visit_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.visit_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_correction_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_correction
    FOR EACH ROW EXECUTE FUNCTION reports_correction_changed();

CREATE FUNCTION reports_follow_up_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(v.campaign_id) FROM inspections_correction c JOIN inspections_visit v ON v.id = c.visit_id
        WHERE c.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.correction_id END,
                       CASE WHEN TG_OP <> 'DELETE' THEN NEW.correction_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_follow_up_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_followup
    FOR EACH ROW EXECUTE FUNCTION reports_follow_up_changed();

CREATE FUNCTION reports_follow_up_step_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(v.campaign_id) FROM inspections_followup f
        JOIN inspections_correction c ON c.id = f.correction_id JOIN inspections_visit v ON v.id = c.visit_id
        WHERE f.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.follow_up_id END,
                       CASE WHEN TG_OP <> 'DELETE' THEN NEW.follow_up_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_follow_up_step_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_followupstep
    FOR EACH ROW EXECUTE FUNCTION reports_follow_up_step_changed();

CREATE FUNCTION reports_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(t.campaign_id) FROM inspections_team t
        WHERE t.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.team_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.team_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER reports_membership_changed AFTER INSERT OR UPDATE OR DELETE ON inspections_teammembership
    FOR EACH ROW EXECUTE FUNCTION reports_membership_changed();

CREATE FUNCTION reports_campaign_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD IS DISTINCT FROM NEW THEN PERFORM reports_bump_version(NEW.id); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_campaign_changed AFTER UPDATE ON inspections_campaign
    FOR EACH ROW EXECUTE FUNCTION reports_campaign_changed();

-- A unit's name, commune or category, as the snapshot states them, for the campaigns that
-- counted it (in campaign order, so that two imports never wait on each other in a cycle).
CREATE FUNCTION reports_unit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_bump_version(campaign_id) FROM (
        SELECT DISTINCT campaign_id FROM inspections_visit
        WHERE unit_id = NEW.id AND status = ANY({COUNTED}) ORDER BY campaign_id) counted;
    RETURN NULL;
END $$;
CREATE TRIGGER reports_unit_changed AFTER UPDATE OF name, commune_id, category_id ON units_unit
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.commune_id IS DISTINCT FROM NEW.commune_id
                       OR OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION reports_unit_changed();

CREATE TRIGGER reports_division_changed AFTER INSERT OR UPDATE OR DELETE ON units_division
    FOR EACH STATEMENT EXECUTE FUNCTION reports_bump_every_version();
CREATE TRIGGER reports_category_changed AFTER INSERT OR UPDATE OR DELETE ON units_unitcategory
    FOR EACH STATEMENT EXECUTE FUNCTION reports_bump_every_version();
"""  # noqa: S608 (COUNTED is a constant of this file, no input)

BACKWARD = """
DROP TRIGGER IF EXISTS reports_category_changed ON units_unitcategory;
DROP TRIGGER IF EXISTS reports_division_changed ON units_division;
DROP TRIGGER IF EXISTS reports_unit_changed ON units_unit;
DROP TRIGGER IF EXISTS reports_campaign_changed ON inspections_campaign;
DROP TRIGGER IF EXISTS reports_membership_changed ON inspections_teammembership;
DROP TRIGGER IF EXISTS reports_follow_up_step_changed ON inspections_followupstep;
DROP TRIGGER IF EXISTS reports_follow_up_changed ON inspections_followup;
DROP TRIGGER IF EXISTS reports_correction_changed ON inspections_correction;
DROP TRIGGER IF EXISTS reports_visit_changed ON inspections_visit;
DROP FUNCTION IF EXISTS reports_unit_changed(), reports_campaign_changed(), reports_membership_changed(),
    reports_follow_up_step_changed(), reports_follow_up_changed(), reports_correction_changed(),
    reports_visit_changed(), reports_bump_every_version(), reports_bump_version(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_data_version"),
        ("inspections", "0009_visit_submitted_by_label"),
        ("units", "0001_divisions_categories_units"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
