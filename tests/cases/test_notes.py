"""Internal notes: written with the case's version claimed, once per key, refused when empty or stale."""

from __future__ import annotations

import pytest

from tests.support.factories import StaffFactory
from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.cases.services.notes import NoteInvalid, case_note_add

pytestmark = pytest.mark.django_db


def snapshot(case: Case) -> tuple[int, int]:
    return Case.objects.get(pk=case.pk).version, TimelineEntry.objects.filter(case=case).count()


def test_a_note_is_an_internal_entry_by_its_author(new_case: Case) -> None:
    jo = StaffFactory(username="jo", first_name="Jo", teams=["care"])
    version, entries = snapshot(new_case)
    entry = case_note_add(case=new_case, author=jo, text="  Rang him.\nHe'll post it Monday.  ")
    assert (entry.kind, entry.event, entry.actor_kind, entry.actor_user) == ("note", "staff_note", "staff", jo)
    assert entry.summary == "Internal note by Jo: Rang him."
    assert entry.detail == {"text": "Rang him.\nHe'll post it Monday.", "internal": True}
    assert snapshot(new_case) == (version + 1, entries + 1)


def test_the_same_key_writes_one_note(new_case: Case) -> None:
    jo = StaffFactory(username="jo")
    first = case_note_add(case=new_case, author=jo, text="once", idempotency_key="note:k1")
    stale = Case.objects.get(pk=new_case.pk)
    stale.version = new_case.version  # the double click carries the page's old version
    again = case_note_add(case=stale, author=jo, text="once", idempotency_key="note:k1")
    assert again.pk == first.pk
    assert TimelineEntry.objects.filter(idempotency_key="note:k1").count() == 1


def test_a_stale_case_is_refused_with_nothing_written(new_case: Case) -> None:
    jo = StaffFactory(username="jo")
    stale_version = new_case.version
    case_note_add(case=Case.objects.get(pk=new_case.pk), author=jo, text="first")
    before = snapshot(new_case)
    new_case.version = stale_version
    with pytest.raises(CaseConflict, match=r"you had version 1, it is now 2"):
        case_note_add(case=new_case, author=jo, text="second")
    assert snapshot(new_case) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [("   \n ", "write the note first: it is empty"), ("x" * 4001, "at most 4000 characters; this one has 4001")],
)
def test_an_empty_or_overlong_note_is_refused(new_case: Case, text: str, message: str) -> None:
    before = snapshot(new_case)
    with pytest.raises(NoteInvalid, match=message):
        case_note_add(case=new_case, author=StaffFactory(), text=text)
    assert snapshot(new_case) == before
