"""Feedback on the case page once the device is home: rating, comment, consent to publish."""

from __future__ import annotations

from html import unescape

import pytest
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import reverse

from tests.quotes.repair import repair_case
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.feedback.models import Feedback
from touchpoint.links.services import link_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(customer: Customer) -> tuple[Case, str]:
    customer.town = "Leeds"
    customer.save()
    case = repair_case(customer, "feedback_asked")
    return case, link_issue(case=case)


def html_of(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    return unescape(response.content.decode())


def test_the_form_is_an_accessible_radio_group_prefilled_with_first_name_and_town(
    client: Client, home: tuple[Case, str]
) -> None:
    case, token = home
    html = html_of(client.get(reverse("portal:case", args=[token])))
    assert "<legend>How did we do?</legend>" in html
    for value, label in [("1", "1 – Very unhappy"), ("5", "5 – Very happy")]:
        assert f'<input type="radio" name="csat" value="{value}" id="id_csat_{value}"' in html
        assert f"<span>{label}</span>" in html
    assert 'id="id_display_name" value="Ian"' in html
    assert 'id="id_town" value="Leeds"' in html
    assert f'name="version" value="{case.version}"' in html


def test_good_feedback_is_kept_the_case_completes_and_the_page_shows_it(client: Client, home: tuple[Case, str]) -> None:
    case, token = home
    post = {
        "csat": "5",
        "comment": "Like new!",
        "consent_publish": "on",
        "display_name": "Ian",
        "town": "Leeds",
        "version": case.version,
    }
    response = client.post(reverse("portal:feedback_send", args=[token]), post, follow=True)
    html = html_of(response)
    assert "Thank you for your feedback." in html
    assert "You rated us <strong>5 out of 5</strong>" in html
    assert "You said we may publish it, signed “Ian, Leeds”." in html
    assert "<h1>All done</h1>" in html
    feedback = Feedback.objects.get(case=case)
    assert (feedback.csat, feedback.comment, feedback.consent_publish, feedback.display_name, feedback.town) == (
        5,
        "Like new!",
        True,
        "Ian",
        "Leeds",
    )


def test_a_low_rating_brings_a_person(client: Client, home: tuple[Case, str]) -> None:
    case, token = home
    post = {"csat": "1", "comment": "Still broken", "version": case.version}
    html = html_of(client.post(reverse("portal:feedback_send", args=[token]), post, follow=True))
    # What happens next, in the journey's own words for the step a low rating leads to
    complaint = journey_of(case.journey).states["complaint"]
    assert f"Thank you for telling us. We're sorry. {complaint.next_step}" in html
    assert "Only our team reads it" in html
    case.refresh_from_db()
    assert case.state == "complaint"


def test_missing_rating_and_name_are_said_beside_the_fields_and_nothing_typed_is_lost(
    client: Client, home: tuple[Case, str]
) -> None:
    case, token = home
    post = {"comment": "Quick & friendly", "consent_publish": "on", "display_name": "", "town": "Otley"}
    post["version"] = str(case.version)
    response = client.post(reverse("portal:feedback_send", args=[token]), post)
    html = html_of(response)
    assert response.status_code == 400
    assert '<p class="error" id="err-csat">Choose a rating from 1 (very unhappy) to 5 (very happy).</p>' in html
    assert (
        '<p class="error" id="err-display_name">To publish it, give a first name to sign it with — '
        "or untick “You may publish this”.</p>"
    ) in html
    assert 'aria-describedby="err-csat"' in html
    assert ">Quick & friendly</textarea>" in html
    assert 'id="id_town" value="Otley"' in html
    assert 'name="consent_publish" id="id_consent_publish" aria-describedby="hint-consent" checked' in html
    assert Feedback.objects.count() == 0
    case.refresh_from_db()
    assert case.state == "feedback_asked"


def test_a_second_send_is_refused_and_the_first_answer_stands(client: Client, home: tuple[Case, str]) -> None:
    case, token = home
    url = reverse("portal:feedback_send", args=[token])
    client.post(url, {"csat": "4", "version": case.version})
    entries = TimelineEntry.objects.filter(case=case).count()
    html = html_of(client.post(url, {"csat": "1", "version": case.version}, follow=True))
    assert "You've already told us how we did — thank you." in html
    assert "You rated us <strong>4 out of 5</strong>" in html
    assert TimelineEntry.objects.filter(case=case).count() == entries
    assert list(Feedback.objects.values_list("csat", flat=True)) == [4]


def test_no_feedback_form_before_the_device_is_home(client: Client, customer: Customer) -> None:
    case = repair_case(customer, "repairing")
    token = link_issue(case=case)
    assert "How did we do?" not in html_of(client.get(reverse("portal:case", args=[token])))
    response = client.post(reverse("portal:feedback_send", args=[token]), {"csat": "5", "version": case.version})
    assert "your feedback wasn't saved" in html_of(client.get(response["Location"]))
    assert Feedback.objects.count() == 0
