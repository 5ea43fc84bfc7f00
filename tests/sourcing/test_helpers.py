"""The shared write helpers: an audited update of the fields that changed, and storing and removing uploads."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from sourcing.actors import Actor
from sourcing.audit import update_audited
from sourcing.categories.models import CategorySpec
from sourcing.errors import DomainError
from sourcing.models import AuditEvent, Tenant
from sourcing.uploads import DOCUMENTS, PDF, accept_upload, delete_files_on_commit, store_upload

AsTenant = Callable[[Tenant], Any]
BY = Actor.system("tests")
PDF_BYTES = b"%PDF-1.7\n%binary"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


# update_audited


def test_update_saves_and_audits_only_the_fields_that_differ(tenant: Tenant, as_tenant: AsTenant) -> None:
    # given a tenant named Acme Home Goods in America/Chicago
    # when its name changes and its time zone is given again unchanged
    with as_tenant(tenant):
        changed = update_audited(
            tenant,
            {"name": "Acme Home", "time_zone": "America/Chicago"},
            tenant=tenant,
            by=BY,
            action="tenant.update",
            picture=["name", "time_zone"],
        )
    # then only the name is saved, and one event shows it before and after
    assert changed == ["name"]
    tenant.refresh_from_db()
    assert tenant.name == "Acme Home"
    with as_tenant(tenant):
        events = list(AuditEvent.objects.filter(action="tenant.update"))
    assert len(events) == 1
    assert events[0].before == {"name": "Acme Home Goods", "time_zone": "America/Chicago"}
    assert events[0].after == {"name": "Acme Home", "time_zone": "America/Chicago"}
    assert events[0].object_id == str(tenant.pk)


def test_update_without_a_difference_saves_and_audits_nothing(
    tenant: Tenant, as_tenant: AsTenant, django_assert_num_queries: Any
) -> None:
    # when every value given is the one stored
    with as_tenant(tenant), django_assert_num_queries(0):
        changed = update_audited(
            tenant, {"name": "Acme Home Goods"}, tenant=tenant, by=BY, action="tenant.update", picture=["name"]
        )
    # then nothing is written
    assert changed == []
    with as_tenant(tenant):
        assert not AuditEvent.objects.filter(action="tenant.update").exists()


def test_update_sets_touched_fields_and_uses_a_picture_function(tenant: Tenant, as_tenant: AsTenant) -> None:
    # when the language changes, the time zone is set along with it, and the picture is a function
    with as_tenant(tenant):
        changed = update_audited(
            tenant,
            {"default_language": "zh-hans"},
            tenant=tenant,
            by=BY,
            action="tenant.update",
            picture=lambda t: {"language": t.default_language, "zone": t.time_zone},
            touch={"time_zone": "Asia/Shanghai"},
        )
    # then both are saved, only the compared field is reported, and the event holds the function's picture
    assert changed == ["default_language"]
    tenant.refresh_from_db()
    assert (tenant.default_language, tenant.time_zone) == ("zh-hans", "Asia/Shanghai")
    with as_tenant(tenant):
        event = AuditEvent.objects.get(action="tenant.update")
    assert event.before == {"language": "en", "zone": "America/Chicago"}
    assert event.after == {"language": "zh-hans", "zone": "Asia/Shanghai"}


# accept_upload, store_upload, delete_files_on_commit


def test_accept_keeps_only_the_base_name_and_falls_back_to_the_type() -> None:
    named = accept_upload(io.BytesIO(PDF_BYTES), allowed=DOCUMENTS, file_name="C:/scans/../report 1.pdf")
    assert (named.content_type, named.size, named.file_name) == (PDF, len(PDF_BYTES), "report 1.pdf")
    unnamed = accept_upload(io.BytesIO(PDF_BYTES), allowed=DOCUMENTS, fallback="spec")
    assert unnamed.file_name == "spec.pdf"


def test_accept_refuses_bytes_of_another_type_naming_the_field() -> None:
    with pytest.raises(DomainError) as refused:
        accept_upload(io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00"), allowed=DOCUMENTS, field="evidence")
    assert set(refused.value.fields) == {"evidence"}


def test_store_uses_a_name_of_our_own_under_the_field_folder(media: Path) -> None:
    accepted = accept_upload(io.BytesIO(PDF_BYTES), allowed=DOCUMENTS, file_name="../../etc/passwd.pdf")
    spec = CategorySpec()
    stored = store_upload(spec.file, accepted)
    # the person's name never reaches the storage
    assert re.fullmatch(r"category-specs/\d{4}/\d{2}/[0-9a-f-]{36}\.pdf", stored), stored
    assert spec.file.name == stored
    assert (media / stored).read_bytes() == PDF_BYTES


def test_files_are_deleted_only_once_the_transaction_commits(
    db: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    kept, removed = CategorySpec(), CategorySpec()
    for spec in (kept, removed):
        store_upload(spec.file, accept_upload(io.BytesIO(PDF_BYTES), allowed=DOCUMENTS))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # a rolled-back change keeps its files
        with transaction.atomic():
            delete_files_on_commit([kept.file, CategorySpec().file])  # an empty field is skipped
            transaction.set_rollback(True)
        # a committed one removes them, and only after the commit
        with transaction.atomic():
            delete_files_on_commit([removed.file])
        assert (media / str(removed.file.name)).exists()
    assert len(callbacks) == 1
    assert not (media / str(removed.file.name)).exists()
    assert (media / str(kept.file.name)).exists()
