"""The first run: on an empty database, the owner's account (with the setup code `touchpoint run`
printed), then a guide through the essentials (the shop, opening hours, the catalog, the persona,
the staff) instead of an empty site."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from touchpoint.console.reads.first_run import setup_steps
from touchpoint.core.ratelimit import Limit, client_key, ratelimit_hit
from touchpoint.staff.access import staff_required
from touchpoint.staff.first_run import OwnerDetails, OwnerExists, owner_create, owner_exists, setup_code_matches
from touchpoint.staff.models import StaffUser

# A guess at the code is a guess at the whole shop: few tries, per client
OWNER_LIMIT = Limit(count=10, seconds=3600)


class OwnerForm(forms.Form):
    code = forms.CharField(
        label="Setup code",
        max_length=40,
        help_text="`touchpoint run` printed it beside the address (or run `touchpoint setup_code`).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    name = forms.CharField(label="Your name", max_length=200)
    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": "Letters, digits and . @ + - _ only, e.g. priya or priya.shah"},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label="Your email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 10 characters; not a common password, not all digits, not like your name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    password_again = forms.CharField(
        label="The password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not setup_code_matches(code):
            raise ValidationError(
                "That isn't this install's setup code. Copy it from where `touchpoint run` was started "
                "(the line that says “First run”), or run `touchpoint setup_code` on the server."
            )
        return code

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords differ: type the same one twice.")
        return data


def _welcome(request: HttpRequest, form: OwnerForm, *, status: int = 200, problem: str = "") -> HttpResponse:
    return render(request, "console/first_run/welcome.html", {"form": form, "problem": problem}, status=status)


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    """The owner's account, while nobody is on the staff; afterwards this address is the guide."""
    if owner_exists():
        return HttpResponseRedirect(reverse("console:first_run_guide"))
    if request.method == "GET":
        return _welcome(request, OwnerForm())
    form = OwnerForm(request.POST)
    if not ratelimit_hit(scope="console.first_run", key=client_key(request), limit=OWNER_LIMIT):
        return _welcome(request, form, status=429, problem="Too many tries from here: wait an hour and try again.")
    if not form.is_valid():
        return _welcome(request, form, status=400, problem="Nothing was created yet: see below.")
    data = form.cleaned_data
    details = OwnerDetails(username=data["username"], name=data["name"], email=data["email"], password=data["password"])
    try:
        user = owner_create(details=details)
    except ValidationError as exc:  # Django's password validators
        form.add_error("password", exc)
        return _welcome(request, form, status=400, problem="Nothing was created yet: see below.")
    except OwnerExists:
        return HttpResponseRedirect(reverse("console:login"))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # An admin sets two-factor up before anything else (staff.gate); then the guide
    return HttpResponseRedirect(reverse("console:first_run_guide"))


@require_GET
@staff_required("lead")
def guide(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, StaffUser)
    steps = setup_steps()
    return render(
        request,
        "console/first_run/guide.html",
        {"steps": steps, "left": sum(1 for step in steps if not step.done and step.essential)},
    )
