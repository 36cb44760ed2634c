"""Asking for a fresh link to one's repairs by email. The page queues the request and the worker
answers it (:mod:`touchpoint.outbox.jobs`): the page does the same work and gives the same answer
whether or not the address is a customer's, so neither its words nor its timing tell anyone who our
customers are. How often an address is emailed is decided by the worker (at most one link email a
quarter of an hour, and a later request always answered), never by who else asked."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.outbox.link_mail import link_request_queue

CLIENT_LIMIT = Limit(10, 3600)  # requests per hour from one client: also bounds the queue it can fill


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
    link_request_queue(email=form.cleaned_data["email"])
    return render(request, "portal/links/sent.html")
