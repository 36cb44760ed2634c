"""Asking for a fresh link to one's repairs by email. The answer is the same whether or not the
address is a customer's, so the form can't be used to find out who our customers are."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.customers.services import email_normalise
from touchpoint.links.mail import link_request_send

CLIENT_LIMIT = Limit(10, 3600)  # requests per hour from one client
ADDRESS_LIMIT = Limit(3, 3600)  # emails per hour to one address, whoever asks


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address you ordered with.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )


@require_http_methods(["GET", "POST"])
def link_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/links/request.html", {"form": LinkRequestForm()})
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/links/request.html", {"form": form}, status=422)
    if not ratelimit_hit(scope="portal.links.client", key=client_key(request), limit=CLIENT_LIMIT):
        return render(request, "portal/links/request.html", {"form": form, "limited": True}, status=429)
    email = email_normalise(form.cleaned_data["email"])
    # Counted for every address, known or not, so the limit itself tells nothing either.
    if ratelimit_hit(scope="portal.links.address", key=email, limit=ADDRESS_LIMIT):
        link_request_send(email=email)
    return render(request, "portal/links/sent.html")
