"""The staff case view on real states of mail-in-repair: exactly the journey's actions for this user,
events, notes, replies, handoffs and reassignment through the page, stale pages and edited forms refused
with nothing changed, and who may open it at all."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from tests.console import given
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.cases.actors import CARRIER, CUSTOMER, SYSTEM, staff_actor
from touchpoint.cases.journeys import journey_register
from touchpoint.cases.models import Case, Task, TaskKind, TaskStatus, TimelineEntry
from touchpoint.flows.advance import case_advance
from touchpoint.journeys.library import library_file
from touchpoint.links.services import link_issue
from touchpoint.outbox.models import OutboxMessage
from touchpoint.staff.models import Role, StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mail_in_repair(db: Any) -> None:
    path = library_file("mail-in-repair")
    assert path is not None
    journey_register(source=path.read_text(), filename=str(path))


def open_repair() -> Case:
    return given.open_repair(CustomerFactory(name="Ian Kearns", email="ian@example.com"))


def payment_failed() -> Case:
    return case_advance(case=open_repair(), event="payment_overdue", actor=SYSTEM).case


def paid() -> Case:
    """Paid by card: the customer starts it, the provider confirms it."""
    case = case_advance(case=open_repair(), event="card_submitted", actor=CUSTOMER).case
    return case_advance(case=case, event="payment_succeeded", actor=SYSTEM).case


def device_lost() -> Case:
    case = case_advance(case=paid(), event="device_posted", actor=CUSTOMER).case
    return case_advance(case=case, event="device_overdue", actor=SYSTEM).case


def complaint(intake: StaffUser) -> Case:
    case = case_advance(case=paid(), event="device_posted", actor=CARRIER).case
    case = case_advance(case=case, event="device_arrived", actor=staff_actor(intake)).case
    return case_advance(case=case, event="complaint_raised", actor=CUSTOMER).case


def signed_in(user: StaffUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(case: Case, action: str = "") -> str:
    return reverse(f"console:case{'_' + action if action else ''}", args=[case.reference])


def offered(client: Client, case: Case) -> list[str]:
    html = client.get(page_url(case)).content.decode()
    return re.findall(r'name="event" value="([a-z_]+)"', html)


def state_of(case: Case) -> tuple[str, int, int]:  # (state, version, timeline length)
    fresh = Case.objects.get(pk=case.pk)
    return fresh.state, fresh.version, TimelineEntry.objects.filter(case=case).count()


@pytest.fixture
def intake() -> StaffUser:
    return StaffFactory(username="ivy", first_name="Ivy", teams=["intake"])


@pytest.fixture
def care() -> StaffUser:
    return StaffFactory(username="jo", first_name="Jo", last_name="Park", teams=["care"])


@pytest.fixture
def shipping() -> StaffUser:
    return StaffFactory(username="sam", first_name="Sam", teams=["shipping"])


@pytest.fixture
def priya() -> StaffUser:
    return StaffFactory(username="priya", first_name="Priya", role=Role.LEAD, teams=["bench"])


# --- the actions are exactly the journey's valid transitions for this state and role ----------


def test_payment_failed_offers_intake_its_move_and_nobody_else_anything(
    intake: StaffUser, care: StaffUser, priya: StaffUser
) -> None:
    case = payment_failed()
    # Recording a payment is the payments panel's (it writes the payment with the move), not a button here.
    assert offered(signed_in(intake), case) == ["payment_given_up"]
    assert offered(signed_in(care), case) == []
    assert offered(signed_in(priya), case) == []  # a lead outside intake: the journey names the team only
    html = signed_in(intake).get(page_url(case)).content.decode()
    assert '<button type="submit">Cancel the unpaid order <span class="to">→ Order cancelled</span></button>' in html


def test_a_lost_device_offers_the_lead_the_compensation_and_intake_the_arrival(
    intake: StaffUser, shipping: StaffUser, priya: StaffUser
) -> None:
    case = device_lost()
    assert case.state == "device_lost"
    assert given.offered(signed_in(priya), case) == ["device_declared_lost"]
    assert given.offered(signed_in(intake), case) == ["device_arrived"]
    assert given.offered(signed_in(shipping), case) == []
    # The carrier may record the arrival too (a parcel being traced that it then delivers), so the lead
    # and the team that handed the parcel over may record that step by hand, with a reason
    assert given.by_hand(signed_in(priya), case) == ["device_arrived"]
    assert given.by_hand(signed_in(shipping), case) == ["device_arrived"]
    assert given.by_hand(signed_in(intake), case) == []


def test_an_agent_takes_an_offered_move_and_the_case_moves(intake: StaffUser) -> None:
    case = device_lost()
    client = signed_in(intake)
    response = client.post(page_url(case, "event"), {"event": "device_arrived", "version": case.version, "nonce": "n1"})
    assert response.status_code == 302
    assert response["Location"] == page_url(case)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == ("resting", case.version + 1)
    follow = client.get(page_url(case)).content.decode()
    assert "Done: Device arrived. The case is now “Resting before surgery”." in follow


def test_an_edited_form_with_an_event_the_journey_refuses_this_team_changes_nothing(care: StaffUser) -> None:
    case = device_lost()
    before = state_of(case)
    response = signed_in(care).post(
        page_url(case, "event"), {"event": "device_arrived", "version": case.version, "nonce": "n2"}
    )
    assert response.status_code == 403
    assert (
        "Not done, nothing changed: “Device arrived” isn&#x27;t yours to record at “We&#x27;re tracing your "
        "device”: it is for the intake team." in response.content.decode()  # no such team yet: its slug
    )
    assert state_of(case) == before


def test_a_double_click_moves_the_case_once(intake: StaffUser) -> None:
    case = device_lost()
    before = TimelineEntry.objects.filter(case=case).count()
    client = signed_in(intake)
    form = {"event": "device_arrived", "version": case.version, "nonce": "same"}
    assert client.post(page_url(case, "event"), form).status_code == 302
    assert client.post(page_url(case, "event"), form).status_code == 302
    assert state_of(case) == ("resting", case.version + 1, before + 1)


def test_a_stale_page_gets_a_conflict_naming_who_moved_it_and_nothing_changes(intake: StaffUser) -> None:
    case = payment_failed()
    stale = case.version
    max_ = StaffFactory(username="max", first_name="Max", teams=["intake"])
    signed_in(max_).post(page_url(case, "event"), {"event": "payment_given_up", "version": stale, "nonce": "a"})
    after_first = state_of(case)
    response = signed_in(intake).post(
        page_url(case, "event"), {"event": "payment_given_up", "version": stale, "nonce": "b"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "While you were looking, Max changed this case at" in html
    assert "There&#x27;s a problem with your payment → Order cancelled (Cancel the unpaid order, by Max)" in html
    assert "Nothing was done: check the case as it is now, then choose again." in html
    assert state_of(case) == after_first


# --- notes, replies --------------------------------------------------------------------------


def test_a_note_is_added_and_shown_as_internal(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    client = signed_in(care)
    response = client.post(
        page_url(case, "note"),
        {"text": "Called him; he wants it back by Friday.", "version": case.version, "nonce": "n"},
    )
    assert response.status_code == 302
    entry = TimelineEntry.objects.filter(case=case).order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.event, entry.actor_user) == ("note", "staff_note", care)
    assert entry.detail == {"text": "Called him; he wants it back by Friday.", "internal": True}
    html = client.get(page_url(case)).content.decode()
    assert '<blockquote class="note-text">Called him; he wants it back by Friday.</blockquote>' in html


def test_a_note_on_a_stale_page_keeps_what_was_typed(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    stale = case.version
    signed_in(care).post(page_url(case, "note"), {"text": "first", "version": stale, "nonce": "x1"})
    before = state_of(case)
    response = signed_in(care).post(
        page_url(case, "note"), {"text": "My long careful note", "version": stale, "nonce": "x2"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your note was not saved; it is still in the box below." in html
    assert ">My long careful note</textarea>" in html
    assert f'name="version" value="{stale + 1}"' in html  # sending again works
    assert state_of(case) == before


def test_an_empty_note_is_refused_beside_the_field(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = state_of(case)
    response = signed_in(care).post(page_url(case, "note"), {"text": "   ", "version": case.version, "nonce": "e"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="note-text-error"' in html
    assert "This field is required." in html
    assert state_of(case) == before


def test_a_note_without_the_pages_version_is_kept_and_explained(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = state_of(case)
    response = signed_in(care).post(page_url(case, "note"), {"text": "Kept words", "version": "x", "nonce": "v"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This page could not tell which version of the case you saw" in html
    assert ">Kept words</textarea>" in html
    assert state_of(case) == before


def test_a_reply_in_own_words_is_sent_once_and_signed_by_the_agent(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    client = signed_in(care)
    form = {
        "mode": "own",
        "text": "So sorry, Ian. I'll call you at 3.",
        "template": "still_on_it",
        "version": case.version,
        "nonce": "r1",
    }
    assert client.post(page_url(case, "reply"), form).status_code == 302
    assert client.post(page_url(case, "reply"), form).status_code == 302  # double click
    sent = OutboxMessage.objects.filter(case=case, idempotency_key="reply:r1")
    assert sent.count() == 1
    message = sent.get()
    assert message.body_text.startswith("So sorry, Ian. I'll call you at 3.\n\nJo Park\nThe Repair Shop\n")
    assert message.headers["Auto-Submitted"] == "no"
    html = client.get(page_url(case)).content.decode()
    assert "Reply in own words by Jo Park" in html
    assert "personal: own words" in html


def test_a_persona_reply_names_its_template_and_tone(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    client = signed_in(care)
    form = {"mode": "template", "template": "still_on_it", "text": "", "version": case.version, "nonce": "r2"}
    assert client.post(page_url(case, "reply"), form).status_code == 302
    message = OutboxMessage.objects.get(idempotency_key="reply:r2")
    assert message.headers["Auto-Submitted"] == "auto-generated"
    html = client.get(page_url(case)).content.decode()
    assert (
        "automated: persona message “A sober update on a problem a person is working on, and when the next one comes.”"
        in html
    )
    summary = "A sober update on a problem a person is working on, and when the next one comes."
    assert f"Reply (persona template “{summary}”, sober) sent by Jo Park" in html
    assert "still_on_it</" not in html and "`" not in html  # the key is only an option's value


def test_a_preview_sends_nothing_and_keeps_the_words(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = (state_of(case), OutboxMessage.objects.count())
    form = {"mode": "own", "text": "Draft words", "version": case.version, "nonce": "p", "preview": "1"}
    response = signed_in(care).post(page_url(case, "reply"), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "In your own words. Not sent yet." in html
    assert ">Draft words</textarea>" in html
    assert (state_of(case), OutboxMessage.objects.count()) == before


def test_own_words_chosen_but_left_empty_is_refused_beside_the_field(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = (state_of(case), OutboxMessage.objects.count())
    form = {"mode": "own", "text": "", "template": "still_on_it", "version": case.version, "nonce": "q"}
    response = signed_in(care).post(page_url(case, "reply"), form)
    assert response.status_code == 400
    assert "Write your reply here, or choose a persona message instead." in response.content.decode()
    assert (state_of(case), OutboxMessage.objects.count()) == before


def test_the_timeline_shows_customer_messages_and_failed_deliveries_and_keeps_notes_from_the_customer(
    care: StaffUser,
) -> None:
    from touchpoint.cases.services.notes import case_note_add
    from touchpoint.core.clock import now
    from touchpoint.inbox.models import InboundMessage
    from touchpoint.portal.reads.customer_timeline import customer_timeline

    case = complaint(StaffFactory(teams=["intake"]))
    InboundMessage.objects.create(
        source="webhook",
        raw_sha256="x",
        raw=b"",
        kind="reply",
        case=case,
        customer=case.customer,
        sentiment=-0.72,
        received_at=now(),
        subject="Re: your nano",
        reply_text="It came back scratched. Not happy.",
    )
    OutboxMessage.objects.filter(case=case, touchpoint="complaint_received").update(status="dead")
    case_note_add(case=Case.objects.get(pk=case.pk), author=care, text="Secret: he is a reviewer")
    html = signed_in(care).get(page_url(case)).content.decode()
    assert "Customer wrote: Re: your nano" in html
    assert '<blockquote class="inbound">It came back scratched. Not happy.</blockquote>' in html
    assert "Sentiment -0.72" in html
    assert '<span class="status status-dead">Gave up (a person has a task)</span>' in html
    assert "Secret: he is a reviewer" in html
    assert all("Secret" not in item.text for item in customer_timeline(case=case))


# --- handoffs and reassignment -----------------------------------------------------------------


def test_care_accepts_the_complaint_handoff_and_the_button_shows_only_to_those_who_may(
    care: StaffUser, shipping: StaffUser
) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    assert "Accept the handoff" not in signed_in(shipping).get(page_url(case)).content.decode()
    client = signed_in(care)
    assert "Accept the handoff" in client.get(page_url(case)).content.decode()
    response = client.post(page_url(case, "accept"), {"version": case.version, "nonce": "h"})
    assert response.status_code == 302
    task = Task.objects.get(case=case, kind=TaskKind.HANDOFF, source_key=f"{case.pk}:{case.state_seq}:handoff")
    assert (task.status, task.closed_by) == (TaskStatus.DONE, care)
    html = client.get(page_url(case)).content.decode()
    assert "Handoff to Care accepted by Jo Park" in html
    assert "Accept the handoff" not in html


def test_shipping_posting_an_accept_anyway_is_refused(shipping: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = state_of(case)
    response = signed_in(shipping).post(page_url(case, "accept"), {"version": case.version, "nonce": "h2"})
    assert response.status_code == 403
    assert "only they can accept it" in response.content.decode()
    assert state_of(case) == before
    assert (
        Task.objects.get(case=case, kind=TaskKind.HANDOFF, source_key=f"{case.pk}:{case.state_seq}:handoff").status
        == TaskStatus.OPEN
    )


def test_care_reassigns_to_a_colleague_and_back_to_the_queue(care: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    colleague = StaffFactory(username="kim", first_name="Kim", teams=["care"])
    client = signed_in(care)
    response = client.post(page_url(case, "assign"), {"assignee": colleague.pk, "version": case.version, "nonce": "a1"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == colleague
    version = Case.objects.get(pk=case.pk).version
    assert client.post(page_url(case, "assign"), {"assignee": "", "version": version, "nonce": "a2"}).status_code == 302
    assert Case.objects.get(pk=case.pk).assignee is None
    html = client.get(page_url(case)).content.decode()
    assert "Assigned to Kim by Jo Park" in html
    assert "Back to the Care queue, by Jo Park" in html  # the team by its name, never `team:care`


def test_someone_outside_the_team_cannot_be_given_the_case(care: StaffUser, shipping: StaffUser) -> None:
    case = complaint(StaffFactory(teams=["intake"]))
    before = state_of(case)
    response = signed_in(care).post(
        page_url(case, "assign"), {"assignee": shipping.pk, "version": case.version, "nonce": "a3"}
    )
    assert response.status_code == 400
    assert "Choose someone from the list" in response.content.decode()
    assert state_of(case) == before
    assert Case.objects.get(pk=case.pk).assignee is None


# --- access: staff only, every object URL checked ---------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_for_the_page_and_every_action() -> None:
    case = payment_failed()
    before = state_of(case)
    client = Client()
    response = client.get(page_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    for action in ("event", "note", "reply", "assign", "accept"):
        posted = client.post(
            page_url(case, action), {"event": "payment_given_up", "text": "x", "version": 1, "nonce": action}
        )
        assert posted.status_code == 302, action
    assert state_of(case) == before


def test_a_customers_magic_link_gives_no_staff_session() -> None:
    case = payment_failed()
    client = Client()
    token = link_issue(case=case)
    assert client.get(reverse("portal:case", args=[token])).status_code == 200
    response = client.get(page_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_an_unknown_reference_is_a_404_page(care: StaffUser) -> None:
    response = signed_in(care).get(reverse("console:case", args=["TP-NOPE0"]))
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


# The case view's reads, each once whatever the case's history: session, user, the case (with journey,
# customer, assignee), its marks (one statement: core/sql.py case_marks), the user's teams, the team
# names, open tasks, the acceptance timer (a state with `accept_within` only), who can be given the
# case, the catalog's names for the device and problem; then the panels: payments (1), remedies (2),
# parcels (1: a parcel may have left by now). The quote and theme panels are asked only for a case
# with a quote or with the customer's words (console/panels.py GATES). Files the customer sent are read
# only when they wrote (one more, and the theme run: two). The timeline and the customer card are kept
# under the case's marks (console/reads/kept.py): the first page after a change reads the outgoing
# messages and the entries again (and the customer's messages when they wrote: the marks count them),
# and the card's three.
CASE_VIEW_QUERIES = 14
CASE_VIEW_QUERIES_COLD = CASE_VIEW_QUERIES + 5


def test_the_page_costs_the_same_queries_however_long_the_timeline(
    care: StaffUser, django_assert_num_queries: Any
) -> None:
    from touchpoint.cases.services.notes import case_note_add

    case = complaint(StaffFactory(teams=["intake"]))
    client = signed_in(care)
    client.get(page_url(case))  # warm the journey parse cache and the session
    with django_assert_num_queries(CASE_VIEW_QUERIES):
        assert client.get(page_url(case)).status_code == 200
    for i in range(40):
        case = Case.objects.get(pk=case.pk)
        case_note_add(case=case, author=care, text=f"note {i}")
    with django_assert_num_queries(CASE_VIEW_QUERIES_COLD):  # the notes moved the marks: read and drawn again
        assert "note 39" in client.get(page_url(case)).content.decode()
    with django_assert_num_queries(CASE_VIEW_QUERIES):
        assert "note 39" in client.get(page_url(case)).content.decode()


def test_files_the_customer_sent_cost_one_query_however_many(
    care: StaffUser, django_assert_num_queries: Any, settings: Any, tmp_path: Any
) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    case = complaint(StaffFactory(teams=["intake"]))
    token = link_issue(case=case)

    def photo(name: str) -> SimpleUploadedFile:
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, "PNG")
        return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")

    customer = Client()
    for n in range(3):
        form = {"text": f"photo {n}", "nonce": f"{n:032d}", "photos": [photo(f"p{n}a.png"), photo(f"p{n}b.png")]}
        assert customer.post(f"/c/{token}/messages/", form).status_code == 302
    client = signed_in(care)
    client.get(page_url(case))
    with django_assert_num_queries(CASE_VIEW_QUERIES + 2):  # the files; and, they having written, the theme run
        html = client.get(page_url(case)).content.decode()
    assert html.count('loading="lazy"') == 6


def test_quote_events_are_left_to_the_quote_panel_even_from_an_edited_form() -> None:
    from tests.quotes.repair import crew, repair_case
    from tests.support.factories import CustomerFactory

    case = repair_case(CustomerFactory(), "in_surgery")
    client = signed_in(crew())
    assert "diagnosed" not in offered(client, case)
    before = case.timeline.count()
    response = client.post(page_url(case, "event"), {"event": "diagnosed", "version": case.version, "nonce": "q1"})
    assert response.status_code == 403
    assert "use the quote panel" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.timeline.count()) == ("in_surgery", before)
