"""Media in an S3-compatible bucket (MEDIA_S3_BUCKET, config/settings.py: media_storage): moto's
S3 server in this process, on loopback; the product's services write to it and the scoped views
stream from it, so that the bucket stays private and the pages' CSP stays 'self'."""

import hashlib
import socket

import boto3
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config import backup
from config.settings import media_storage
from inspections import fieldwork
from inspections.evidence import add_evidence
from reports import services
from tests.inspections.test_evidence import photo
from tests.inspections.test_fieldwork import build
from tests.reports.test_provincial import MID_DECEMBER

BUCKET = "pccovid-media"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """The environment a deployment sets, read by settings.py's own function; a fresh bucket."""
    environment = {"MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_ENDPOINT_URL": s3_server, "MEDIA_S3_REGION": "us-east-1",
                   "AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="test-key", aws_secret_access_key="test-secret")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environment)}
    yield client
    for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=listed["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(listed["Key"] for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["visit"] = fieldwork.start_visit(world["market"], by=world["member"])
    return world


def test_a_photo_goes_to_the_bucket_and_comes_back_only_through_its_scoped_view(client, world, bucket, settings):
    evidence = add_evidence(world["visit"], uploaded_file=photo(800, 600), by=world["member"])

    assert keys(bucket) == [evidence.file.name] and evidence.file.name.startswith("evidence/")
    assert not settings.MEDIA_ROOT.exists()  # nothing written on this server's disk
    stored = bucket.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    # Private: no ACL granted to anyone but the owner.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=evidence.file.name)["Grants"]
    assert [grant["Grantee"]["Type"] for grant in grants] == ["CanonicalUser"]

    url = reverse("inspections:evidence_file", args=[evidence.pk])
    client.force_login(world["member"])
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content) == stored  # streamed by the app, not a redirect to the bucket

    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404

    # The same photo again is another record's file: a second key, the first one untouched.
    again = add_evidence(world["visit"], uploaded_file=photo(800, 600), by=world["member"])
    assert again.file.name != evidence.file.name and keys(bucket) == sorted([evidence.file.name, again.file.name])

    # A record whose object is gone (a bucket restored without it): the page that says so.
    bucket.delete_object(Bucket=BUCKET, Key=evidence.file.name)
    client.force_login(world["member"])
    missing = client.get(url)
    assert missing.status_code == 404 and "inspections/evidence_missing.html" in [t.name for t in missing.templates]


def test_the_report_files_are_built_into_the_bucket_and_downloaded_through_the_app(
        client, world, coordinator, bucket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.create_report(world["campaign"], as_of=MID_DECEMBER, by=coordinator)
    report.refresh_from_db()
    assert report.files_ready and keys(bucket) == sorted([report.document.name, report.annex.name])

    client.force_login(coordinator)
    response = client.get(reverse("reports:report_document", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == bucket.get_object(
        Bucket=BUCKET, Key=report.document.name)["Body"].read()
    assert default_storage.exists(report.annex.name)


def test_the_backup_refuses_media_it_cannot_hold(bucket, tmp_path):
    with pytest.raises(backup.BackupError, match="S3 bucket"):
        backup.backup(tmp_path)
