"""The wall: redacted before a person approves, hidden only for personal data or abuse (with the
reason), and the public page's counts show what is hidden."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.quotes.repair import repair_case
from tests.support.factories import CustomerFactory, StaffFactory
from touchpoint.feedback.models import Feedback
from touchpoint.feedback.selectors import wall_counts
from touchpoint.feedback.services import feedback_give, wall_sync
from touchpoint.staff.models import Role
from touchpoint.wall.models import Kind, Status, WallItem
from touchpoint.wall.services import (
    WallRefused,
    wall_item_answer,
    wall_item_hide,
    wall_item_prepare,
    wall_item_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def give(db: Any) -> Any:
    """Feedback as a customer leaves it on their page, once their repaired device is home (the
    feedback app's own service is tested there)."""

    def make(csat: int, comment: str, *, consent: bool = True, name: str = "Ian Kearns") -> Feedback:
        case = repair_case(CustomerFactory(name=name), "feedback_asked")
        return feedback_give(
            case=case,
            version=case.version,
            csat=csat,
            comment=comment,
            consent_publish=consent,
            display_name=name.split()[0] if consent else "",
            town="Leeds" if consent else "",
        ).feedback

    return make


@pytest.fixture
def lead() -> Any:
    return StaffFactory(username="priya", first_name="Priya", last_name="Lead", role=Role.LEAD)


def test_a_consenting_comment_is_redacted_before_anyone_approves_it(give: Any) -> None:
    feedback = give(2, "Ian Kearns here: call 07700 900123, the courier lost it twice", name="Ian Kearns")
    item = wall_item_prepare(feedback=feedback)
    assert item is not None
    assert (item.kind, item.status) == (Kind.COMPLAINT, Status.PENDING)
    assert item.text == "Ian K. here: call [phone], the courier lost it twice"
    assert [r["kind"] for r in item.redactions] == ["phone", "name"]
    assert wall_item_prepare(feedback=feedback) == item  # once per feedback


def test_no_consent_means_no_item(give: Any) -> None:
    assert wall_item_prepare(feedback=give(5, "Lovely", consent=False)) is None
    assert WallItem.objects.count() == 0


def test_feedback_given_is_prepared_at_once_so_a_sync_finds_nothing_left(give: Any) -> None:
    # (the sync is for feedback given before the wall existed; the service prepares each item itself)
    give(5, "Great"), give(1, "Awful"), give(4, "Fine", consent=False)
    assert sorted(WallItem.objects.values_list("kind", "text")) == [
        (Kind.COMPLAINT, "Awful"),
        (Kind.COMPLIMENT, "Great"),
    ]
    assert wall_sync() == 0


def test_hiding_is_allowed_only_for_personal_data_or_abuse_with_a_note(give: Any, lead: Any) -> None:
    item = wall_item_prepare(feedback=give(1, "The bench tech is useless"))
    assert item is not None
    for reason, note in (("unflattering", "we don't like it"), ("abuse", ""), ("", "x")):
        with pytest.raises(WallRefused):
            wall_item_hide(item=item, user=lead, reason=reason, note=note)
    item.refresh_from_db()
    assert (item.status, item.hidden_reason, item.moderated_by) == (Status.PENDING, "", None)
    hidden = wall_item_hide(item=item, user=lead, reason="abuse", note="insults a named member of staff")
    assert (hidden.status, hidden.hidden_reason, hidden.hidden_note) == (
        Status.HIDDEN,
        "abuse",
        "insults a named member of staff",
    )


def test_only_a_lead_moderates(give: Any) -> None:
    item = wall_item_prepare(feedback=give(5, "Super"))
    assert item is not None
    with pytest.raises(WallRefused, match="Only a lead"):
        wall_item_publish(item=item, user=StaffFactory(role=Role.AGENT))
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_a_moderator_may_take_more_out_but_never_change_the_words(give: Any, lead: Any) -> None:
    item = wall_item_prepare(feedback=give(3, "Ask for Dave at the Leeds branch, he was slow"))
    assert item is not None
    with pytest.raises(WallRefused, match="can't be changed"):
        wall_item_publish(item=item, user=lead, text="Everything was perfect")
    published = wall_item_publish(item=item, user=lead, text="Ask for [redacted], he was slow")
    assert (published.status, published.text) == (Status.PUBLISHED, "Ask for [redacted], he was slow")


def test_a_hidden_item_changes_the_published_share(give: Any, lead: Any) -> None:
    items = [wall_item_prepare(feedback=give(csat, text)) for csat, text in ((5, "Great"), (1, "Bad"), (2, "Slow"))]
    give(4, "No thanks", consent=False)
    for item in items:
        assert item is not None
        wall_item_publish(item=item, user=lead)
    before = wall_counts()
    assert (before.feedback, before.published, before.published_complaints, before.published_share) == (4, 3, 2, 0.75)
    assert items[1] is not None
    wall_item_hide(item=items[1], user=lead, reason="personal_data", note="full address in the text")
    after = wall_counts()
    assert (after.published, after.published_complaints, after.hidden_personal_data, after.published_share) == (
        2,
        1,
        1,
        0.5,
    )
    assert (after.compliments, after.complaints, after.no_consent) == (2, 2, 1)


def test_the_public_page_shows_both_sides_with_answers_and_the_counts(give: Any, lead: Any) -> None:
    good = wall_item_prepare(feedback=give(5, "Norm kept me posted all the way", name="Ann Lee"))
    bad = wall_item_prepare(feedback=give(1, "Took three weeks", name="Bob Roe"))
    assert good is not None and bad is not None
    wall_item_publish(item=good, user=lead)
    wall_item_publish(item=bad, user=lead)
    wall_item_answer(item=bad, user=lead, answer="You're right; the part was late. We now order it on day one.")
    page = Client().get("/reviews")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Norm kept me posted all the way" in html and "Took three weeks" in html
    assert "We now order it on day one." in html
    assert "This page shows <strong>2</strong> of them (100%)" in html
    assert "<bdi>Ann</bdi>, <bdi>Leeds</bdi>" in html and "Bob Roe" not in html


def test_moderation_pages_are_for_leads_and_refuse_other_reasons(give: Any, lead: Any) -> None:
    item = wall_item_prepare(feedback=give(1, "Rude"))
    assert item is not None
    assert Client().get("/console/wall/").status_code == 302
    agent = Client()
    agent.force_login(StaffFactory(role=Role.AGENT))
    assert agent.post(f"/console/wall/{item.pk}/", {"action": "publish"}).status_code == 403
    client = Client()
    client.force_login(lead)
    refused = {"action": "hide", "reason": "negative", "note": "x"}
    response = client.post(f"/console/wall/{item.pk}/", refused, follow=True)
    assert "hidden only for personal data or abuse" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert client.post("/console/wall/999999/", {"action": "publish"}).status_code == 404


def test_feedback_given_with_consent_waits_for_a_lead_at_once_redacted() -> None:
    case = repair_case(CustomerFactory(name="Ian Kearns"), "feedback_asked")
    given = feedback_give(
        case=case,
        version=case.version,
        csat=5,
        comment="Lovely job. Ian Kearns, 07700 900123",
        consent_publish=True,
        display_name="Ian",
        town="Leeds",
    )
    item = WallItem.objects.get(feedback=given.feedback)
    assert (item.status, item.kind, item.text) == (Status.PENDING, Kind.COMPLIMENT, "Lovely job. Ian K., [phone]")
    quiet = repair_case(CustomerFactory(), "feedback_asked")
    feedback_give(case=quiet, version=quiet.version, csat=2, comment="meh", consent_publish=False)
    assert WallItem.objects.count() == 1  # no consent, nothing for the wall
