"""Staff and teams (leads and admins): who works here, in which role and teams; inviting a colleague
by email (a one-time link, emailed through the outbox); changing roles and teams, deactivating
(never deleting); adding and renaming teams. Every change is audited and listed on the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from touchpoint.core.clock import now
from touchpoint.core.forms import ModelChoicesField
from touchpoint.core.ratelimit import Limit, ratelimit_hit
from touchpoint.outbox.staff_invites import staff_invite, staff_invite_again
from touchpoint.shop.models import Area, SettingChange
from touchpoint.shop.people import PeopleRefused, is_admin, staff_change, team_add, team_rename
from touchpoint.staff.access import staff_required
from touchpoint.staff.models import Role, StaffInvite, StaffUser, Team

INVITES = Limit(count=20, seconds=3600)  # per lead: a team's worth an hour, not a mailing list


def _roles(by: StaffUser) -> list[tuple[str, str]]:
    """The roles ``by`` may give: only admins give the admin role."""
    return [(value, label) for value, label in Role.choices if value != Role.ADMIN or is_admin(by)]


def _teams_field() -> ModelChoicesField:
    return ModelChoicesField(
        label="Teams",
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The teams whose queues they work.",
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        help_text="The invitation goes here; they sign in with it.",
        error_messages={
            "required": "Write the address to send the invitation to.",
            "invalid": "Write the address as name@domain, e.g. sam@your-shop.example.",
            "max_length": "An address up to 150 characters, please: it is also what they sign in with.",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False, strip=True)
    last_name = forms.CharField(label="Last name", max_length=150, required=False, strip=True)
    role = forms.ChoiceField(label="Role", error_messages={"invalid_choice": "Choose one of the roles offered."})

    def __init__(self, *args: Any, by: StaffUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "role", _roles(by))
        self.fields["teams"] = _teams_field()


class MemberForm(forms.Form):
    role = forms.ChoiceField(label="Role", error_messages={"invalid_choice": "Choose one of the roles offered."})
    active = forms.BooleanField(
        label="May sign in", required=False, help_text="Off: they can't sign in; their cases and history stay."
    )

    def __init__(self, *args: Any, by: StaffUser, member: StaffUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = _roles(by)
        if member.role == Role.ADMIN and not is_admin(by):
            roles.append((Role.ADMIN, Role.ADMIN.label))  # shown as it is; the service refuses changing it
        _choices(self, "role", roles)
        self.fields["teams"] = _teams_field()


class TeamForm(forms.Form):
    slug = forms.SlugField(
        label="Slug",
        max_length=40,
        help_text="The short name journeys use after team:, e.g. bench. It can't change once added.",
        error_messages={
            "required": "Give the team a slug, e.g. bench.",
            "invalid": "A slug has only lower-case letters, digits and hyphens, e.g. front-desk.",
        },
    )
    name = forms.CharField(
        label="Name", max_length=100, strip=True, error_messages={"required": "Write the team's name."}
    )
    description = forms.CharField(
        label="What it does", max_length=500, required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()


def _user(request: HttpRequest) -> StaffUser:
    user = request.user
    assert isinstance(user, StaffUser)  # staff_required let only staff through
    return user


def _changes(subject_prefixes: tuple[str, ...]) -> list[SettingChange]:
    q = Q()
    for prefix in subject_prefixes:
        q |= Q(subject__startswith=prefix)
    return list(SettingChange.objects.filter(q, area=Area.PEOPLE)[:50])


def _list_page(
    request: HttpRequest,
    *,
    invite_form: InviteForm | None = None,
    team_form: TeamForm | None = None,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    by = _user(request)
    pending = StaffInvite.objects.filter(used_at__isnull=True, expires_at__gt=now()).order_by("-created_at")
    staff = StaffUser.objects.order_by("-is_active", "first_name", "username").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name")), Prefetch("invites", queryset=pending)
    )
    context = {
        "staff": staff,
        "teams": Team.objects.annotate(members_count=Count("members")).order_by("name"),
        "invite_form": invite_form or InviteForm(by=by, initial={"role": Role.AGENT}),
        "team_form": team_form or TeamForm(),
        "changes": _changes(("staff:", "team:")),
        "problem": problem,
    }
    return render(request, "console/shop/staff.html", context, status=status)


@require_http_methods(["GET"])
@staff_required("lead")
def staff_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@staff_required("lead")
def invite(request: HttpRequest) -> HttpResponse:
    by = _user(request)
    form = InviteForm(request.POST, by=by)
    if not form.is_valid():
        return _list_page(request, invite_form=form, status=400, problem="Nobody was invited: see the invitation form.")
    if not ratelimit_hit(scope="console.staff.invite", key=str(by.pk), limit=INVITES):
        problem = f"You have sent {INVITES.count} invitations this hour: send the next one in an hour."
        return _list_page(request, invite_form=form, status=429, problem=problem)
    data = form.cleaned_data
    try:
        member = staff_invite(
            by=by,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            teams=list(data["teams"]),
        )
    except PeopleRefused as refused:
        form.add_error("email" if "account" in str(refused) or "invited" in str(refused) else "role", str(refused))
        return _list_page(request, invite_form=form, status=400, problem="Nobody was invited: see the invitation form.")
    messages.success(request, f"Invitation on its way to {member.email}: the link works once, for 7 days.")
    return HttpResponseRedirect(reverse("console:shop_staff"))


def _member_page(
    request: HttpRequest, member: StaffUser, form: MemberForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    context = {
        "member": member,
        "form": form,
        "pending": not member.is_active and not member.has_usable_password(),
        "changes": _changes((f"staff:{member.get_username()}",)),
        "problem": problem,
    }
    return render(request, "console/shop/staff_member.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    by = _user(request)
    member = get_object_or_404(StaffUser, pk=pk)
    initial = {"role": member.role, "active": member.is_active, "teams": list(member.teams.all())}
    if request.method == "GET":
        return _member_page(request, member, MemberForm(initial=initial, by=by, member=member))
    form = MemberForm(request.POST, initial=initial, by=by, member=member)
    if not form.is_valid():
        return _member_page(request, member, form, status=400, problem="Nothing was saved: see below.")
    data = form.cleaned_data
    try:
        changes = staff_change(
            by=by, member=member, role=data["role"], teams=list(data["teams"]), active=data["active"]
        )
    except PeopleRefused as refused:
        return _member_page(request, member, form, status=409, problem=f"Nothing was saved. {refused}")
    if changes:
        messages.success(
            request, f"Saved {member}: " + ", ".join(c.field.removeprefix("staff ") for c in changes) + "."
        )
    else:
        messages.info(request, "Nothing had changed, so nothing was saved.")
    return HttpResponseRedirect(reverse("console:shop_staff_member", args=[member.pk]))


@require_POST
@staff_required("lead")
def invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    by = _user(request)
    member = get_object_or_404(StaffUser, pk=pk)
    if not ratelimit_hit(scope="console.staff.invite", key=str(by.pk), limit=INVITES):
        messages.error(request, f"You have sent {INVITES.count} invitations this hour: send the next one in an hour.")
        return HttpResponseRedirect(reverse("console:shop_staff_member", args=[member.pk]))
    try:
        staff_invite_again(by=by, member=member)
    except PeopleRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"A new link is on its way to {member.email}; the earlier one no longer works.")
    return HttpResponseRedirect(reverse("console:shop_staff_member", args=[member.pk]))


@require_POST
@staff_required("lead")
def team_new(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _list_page(request, team_form=form, status=400, problem="No team was added: see the team form.")
    data = form.cleaned_data
    try:
        team = team_add(by=_user(request), slug=data["slug"], name=data["name"], description=data["description"])
    except PeopleRefused as refused:
        form.add_error("slug", str(refused))
        return _list_page(request, team_form=form, status=400, problem="No team was added: see the team form.")
    messages.success(request, f"Team {team.name} added: journeys reach it as team:{team.slug}.")
    return HttpResponseRedirect(reverse("console:shop_staff"))


@require_http_methods(["GET", "POST"])
@staff_required("lead")
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    initial = {"name": team.name, "description": team.description}
    form = TeamForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = team_rename(by=_user(request), team=team, name=data["name"], description=data["description"])
        messages.success(request, "Saved." if changes else "Nothing had changed, so nothing was saved.")
        return HttpResponseRedirect(reverse("console:shop_team", args=[team.slug]))
    context = {
        "team": team,
        "form": form,
        "members": team.members.order_by("first_name", "username"),
        "changes": _changes((f"team:{team.slug}",)),
        "problem": "Nothing was saved: see below." if form.errors else "",
    }
    return render(request, "console/shop/team.html", context, status=400 if form.errors else 200)
