"""The surfaces the route walker takes each step on: one driver per kind of step.

- the customer: the pages under ``/c/<token>/`` (reached by the link in their latest email), the
  order form (``/repair/``), the public report form (``/report/``), and replying to an email;
- staff: the console's case page (its generic event forms, the quote, payments and remedies
  panels, the hand-recording of a carrier's or system's step), the walk-in counter, the scan station;
- the payment provider: its checkout at the internet's edge and its webhooks, signed as it signs
  them (``StripeEdge``);
- the wait limit: the clock moved past the timer's due time, and the real worker run.

A driver finds its control the way a person does, by what the page shows (``#act-<event>``, the
panel's form), and fills in what the plan says. When no surface offers the step, it stops the walk
with "no surface records <event> in <state> for <who>", never reaching for a service instead."""

from __future__ import annotations

import email.utils
import json
import os
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.acceptance.walker import PUBLIC, RouteWalker, Stop
from tests.support.pages import Form, Page, path_of
from touchpoint.cases.actors import ROLES
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.journeys import Actor, Advanced, advance
from touchpoint.journeys.engine import manual_events
from touchpoint.journeys.walk import Step
from touchpoint.staff.models import StaffUser

WORDS = "It stopped working again after a day, and I'd like someone to look at it properly."
REASON = "The customer phoned: they say it arrived this morning."


def no_surface(w: RouteWalker, step: Step, who: str, detail: str) -> Stop:
    return Stop(f"no surface records `{step.event}` in `{step.source}` for {who}: {detail}")


# --- pages and forms ---------------------------------------------------------------------------


def get(client: Client, url: str) -> tuple[HttpResponse, Page]:
    response = client.get(path_of(url), follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    content = response.content.decode() if "html" in response.get("Content-Type", "") else ""
    return response, Page.parse(content, url=final if final.startswith("http") else PUBLIC + final)


def send(client: Client, form: Form, *, button: Any = None, fill: dict[str, Any] | None = None) -> HttpResponse:
    """Submit ``form`` as a browser would (without following the redirect)."""
    method, address, data = form.submission(button=button, fill=fill)
    if method == "get":
        return client.get(path_of(address), data)
    return client.post(path_of(address), data)


def page_of(response: HttpResponse, url: str) -> Page:
    return Page.parse(response.content.decode(), url=url)


def follow(client: Client, response: HttpResponse) -> tuple[HttpResponse, Page]:
    if response.status_code in (301, 302, 303, 307, 308):
        return get(client, response["Location"])
    return response, page_of(response, PUBLIC + "/")


def problem_text(page: Page) -> str:
    """What a refusing page says went wrong (its alerts and field errors), for the report. With
    ``TOUCHPOINT_WALKER_DUMP=<dir>`` the whole page is kept there too."""
    dump = os.environ.get("TOUCHPOINT_WALKER_DUMP")
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"refused-{time.monotonic_ns()}.txt").write_text(page.text)
    classes = ("errorlist", "error", "alert", "problem", "bad")
    alerts = [
        n.text
        for n in page.root.walk()
        if n.get("role") == "alert" or any(c in n.get("class").split() for c in classes)
    ]
    return " | ".join(dict.fromkeys(a for a in alerts if a))[:500] or page.text[:300]


def typed(value: Any, field_kind: str, options: list[str]) -> str:
    """A planned value as a person types or picks it."""
    if isinstance(value, bool):
        for yes, no in (("yes", "no"), ("true", "false"), ("on", "off"), ("1", "0")):
            if yes in options or no in options:
                return yes if value else no
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fill_for(form: Form, given: dict[str, Any], aliases: dict[str, str] | None = None) -> dict[str, Any]:
    """The planned values for ``form``'s fields (a field named as the case data, or by an alias),
    and words in every empty text box a person must write in."""
    out: dict[str, Any] = {}
    fields = form.fields
    for name, value in given.items():
        target = (aliases or {}).get(name, name)
        # A form may prefix its fields with the event (``packed-sku_matches_order``).
        matching = [f for f in fields if f.name == target or f.name.endswith(f"-{target}")]
        target = matching[0].name if matching else target
        if not matching:
            raise LookupError(f"the form has no field for `{name}` (it has {sorted(form.field_names())})")
        options = [f.node.get("value") for f in matching if f.kind in ("radio", "checkbox")]
        options += [
            o.get("value", o.text) for f in matching if f.kind == "select" for o in f.node.walk() if o.tag == "option"
        ]
        out[target] = typed(value, matching[0].kind, options)
    for f in fields:
        if f.name in out or not f.name:
            continue
        if f.kind == "textarea" and not form.value_of(f.name):
            out[f.name] = WORDS if "reason" not in f.name else REASON
        elif f.kind == "text" and "reason" in f.name and not form.value_of(f.name):
            out[f.name] = REASON
        elif f.kind == "checkbox" and f.node.has("required"):
            out[f.name] = True  # "Yes: record it in my name": a person ticks it to go on
    return out


# --- the customer -------------------------------------------------------------------------------


def customer_page(w: RouteWalker) -> Page:
    """The case page as the customer has it: opened from the link in their latest email (the page
    the walker opened to check that link, when nothing has moved since), else opened again."""
    if not w.link:
        raise Stop("the customer has no link to their case: no email they received links their case page")
    assert w.case is not None
    if w.customer_view is not None and w.customer_view[0] == (w.link, w.case.state_seq):
        return w.customer_view[1]
    response, page = get(w.customer, w.link)
    if response.status_code != 200:
        raise Stop(f"the customer's link {w.link} answers {response.status_code}")
    return page


def _act_form(page: Page, event: str) -> Form | None:
    node = page.by_id(f"act-{event}")
    if node is None:
        return None
    form = page.form_of(node)
    if form is None:
        inner = next((n for n in node.walk() if n.tag == "form"), None)
        form = Form(inner, page) if inner is not None else None
    return form


def customer_act(w: RouteWalker, step: Step) -> str:
    if w.phone is not None:
        from tests.acceptance import browser

        return browser.act(w, step)
    special = {
        "card_submitted": customer_pays,
        "quote_approved": customer_answers_quote,
        "quote_declined": customer_answers_quote,
        "feedback_given": customer_gives_feedback,
    }
    if step.event in special:
        return special[step.event](w, step)
    page = customer_page(w)
    form = _act_form(page, step.event)
    if form is None:
        offered = [i for i in page.ids() if i.startswith("act-")]
        raise no_surface(
            w, step, "the customer", f"no #act-{step.event} on their case page (it offers {offered or 'nothing'})"
        )
    return submit_action(w, w.customer, form, step, "the customer's case page")


def submit_action(w: RouteWalker, client: Client, form: Form, step: Step, where: str) -> str:
    """Send an action's form with the planned values, saying yes to its "are you sure?" page."""
    try:
        fill = fill_for(form, dict(step.given))
    except LookupError as exc:
        raise no_surface(w, step, where, str(exc)) from None
    response = send(client, form, fill=fill)
    for _ in range(2):  # a confirmation page: the same action again, confirmed
        if response.status_code in (301, 302, 303):
            return where
        page = page_of(response, PUBLIC + path_of(form.page.url))
        again = _act_form(page, step.event)
        if response.status_code != 200 or again is None:
            raise Stop(f"{where} refused `{step.event}` ({response.status_code}): {problem_text(page)}")
        response = send(client, again)
    raise Stop(f"{where} kept asking to confirm `{step.event}`")


def customer_pays(w: RouteWalker, step: Step) -> str:
    page = customer_page(w)
    form = _act_form(page, "card_submitted")
    where = "the pay panel (#act-card_submitted)"
    if form is None:
        pay = page.by_id("pay")
        inner = [f for f in page.forms if pay is not None and pay in f.node.ancestors()]
        if not inner:
            raise no_surface(w, step, "the customer", "no #act-card_submitted, and no card form in #pay")
        w.problem("the pay panel's card button has no id=act-card_submitted (the anchor messages link to)")
        form, where = inner[0], "the pay panel (#pay)"
    w.edge.expect_checkout(w)
    response = send(w.customer, form)
    if response.status_code not in (302, 303):
        raise Stop(f"{where}: “Pay by card” answered {response.status_code}: {problem_text(page_of(response, w.link))}")
    w.edge.at_checkout(w, response["Location"], pays=True)
    return where + f", then the card provider's page ({w.edge.name})"


def customer_answers_quote(w: RouteWalker, step: Step) -> str:
    turn = w.turn(f"customer:{step.event}")
    if turn % 2 == 1 and w.last_email_with_reply_to():
        words = "Yes, go ahead please" if step.event == "quote_approved" else "No thanks"
        reply_by_email(w, words)
        return f"an email reply (“{words}”) to /hooks/email"
    page = customer_page(w)
    form = _act_form(page, step.event)
    if form is None:
        raise no_surface(w, step, "the customer", f"no #act-{step.event} on their case page (#extra-work)")
    response = send(w.customer, form)
    for _ in range(2):
        if response.status_code in (302, 303):
            return "the approvals panel (#extra-work)"
        confirm = page_of(response, w.link)
        decision = "approve" if step.event == "quote_approved" else "decline"
        forms = [f for f in confirm.forms if f.method == "post" and f.sends("decision", decision)]
        if response.status_code != 200 or not forms:
            raise Stop(f"the approvals panel refused `{step.event}` ({response.status_code}): {problem_text(confirm)}")
        response = send(w.customer, forms[0])
    raise Stop("the approvals panel kept asking to confirm")


def customer_gives_feedback(w: RouteWalker, step: Step) -> str:
    page = customer_page(w)
    form = _act_form(page, "feedback_given")
    if form is None:
        panel = page.by_id("feedback")
        inner = [f for f in page.forms if panel is not None and panel in f.node.ancestors()]
        if not inner:
            raise no_surface(w, step, "the customer", "no #act-feedback_given and no form in #feedback")
        w.problem("the feedback form has no id=act-feedback_given (the anchor messages link to)")
        form = inner[0]
    rating = int(step.given.get("rating", 5))
    fill = {"csat": str(rating), "comment": "Kept me posted all the way." if rating >= 3 else WORDS}
    if "consent_publish" in form.field_names():
        fill |= {"consent_publish": True, "display_name": "Walker"}
    response = send(w.customer, form, fill=fill)
    if response.status_code not in (302, 303):
        raise Stop(f"the feedback form refused it ({response.status_code}): {problem_text(page_of(response, w.link))}")
    return "the feedback form (#feedback)"


def reply_by_email(w: RouteWalker, words: str) -> None:
    """The customer answers our latest email in their mail app: the raw message, signed as the mail
    provider's inbound webhook signs it, POSTed to ``/hooks/email``."""
    from touchpoint.api.signing import signature_for

    last = w.last_email_with_reply_to()
    assert last is not None and w.case is not None
    message_id = last.headers.get("Message-ID", "")
    raw = (
        f"From: {w.case.customer.name} <{w.case.customer.email}>\r\n"
        f"To: {last.reply_to}\r\n"
        f"Subject: Re: {last.subject}\r\n"
        f"Date: {email.utils.formatdate()}\r\n"
        f"Message-ID: <walker-{w.number}-{time.monotonic_ns()}@example.com>\r\n"
        f"In-Reply-To: {message_id}\r\nReferences: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{words}\r\n\r\nOn a day, Norm wrote:\r\n> {last.subject}\r\n"
    ).encode()
    stamp = str(int(time.time()))
    response = w.customer.generic(
        "POST",
        "/hooks/email",
        raw,
        content_type="message/rfc822",
        headers={
            "X-Touchpoint-Timestamp": stamp,
            "X-Touchpoint-Signature": signature_for(
                secret=settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET, timestamp=stamp, body=raw
            ),
        },
    )
    if response.status_code != 200:
        raise Stop(f"/hooks/email answered {response.status_code}: {response.content[:300]!r}")


# --- staff ----------------------------------------------------------------------------------------


def person(w: RouteWalker, wanted: Actor, step: Step | None) -> StaffUser:
    """The demo's staff member who takes ``step`` as planned (the journey sees them take the same move)."""

    def fits(user: StaffUser) -> bool:
        if step is None:
            return True
        assert w.case is not None
        teams = frozenset(user.teams.values_list("slug", flat=True))
        actor = Actor("staff", role=ROLES.get(user.role), teams=teams)
        result = advance(
            w.journey, state=step.source, event=step.event, data=w.case.data, actor=actor, given=step.given
        )
        return isinstance(result, Advanced) and result.transition == step.transition

    def records(user: StaffUser) -> bool:
        """May ``user`` record ``step`` by hand (it isn't theirs to take in their own right)?"""
        assert step is not None and w.case is not None
        teams = frozenset(user.teams.values_list("slug", flat=True))
        actor = Actor("staff", role=ROLES.get(user.role), teams=teams)
        return step.event in manual_events(w.journey, state=step.source, data=w.case.data, actor=actor)

    return w.shop.person_for(wanted, records if step is not None and step.who.manual else fits)


def desk(w: RouteWalker, user: StaffUser) -> Client:
    client = w.desks.get(user.username)
    if client is None:
        client = w.desks[user.username] = Client()
        client.force_login(user)
    return client


def console_page(w: RouteWalker, client: Client) -> Page:
    assert w.case is not None
    url = PUBLIC + reverse("console:case", args=[w.case.reference])
    response, page = get(client, url)
    if response.status_code != 200:
        raise Stop(f"the console's case page answers {response.status_code}")
    return page


def staff_act(w: RouteWalker, step: Step) -> str:
    user = person(w, step.who.actor, step)
    client = desk(w, user)
    who = f"{user.username} ({step.who.by})"
    from touchpoint.shipping.selectors import ARRIVAL_EVENTS, DISPATCH_EVENTS

    if step.event in ARRIVAL_EVENTS or step.event in DISPATCH_EVENTS:
        return scan(w, client, step, who, "arrived" if step.event in ARRIVAL_EVENTS else "dispatched")
    page = console_page(w, client)
    if step.event in ("diagnosed", "quote_revised"):
        return propose_quote(w, client, page, step, who)
    if step.event in ("quote_approved", "quote_declined"):
        answer = "approve" if step.event == "quote_approved" else "decline"
        forms = [
            f for f in page.forms if any(b.get("name") == "answer" and b.get("value") == answer for b in f.buttons)
        ]
        if not forms:
            raise no_surface(w, step, who, "the quote panel offers no way to record the customer's answer")
        button = next(b for b in forms[0].buttons if b.get("value") == answer)
        return expect_redirect(w, send(client, forms[0], button=button), step, f"the quote panel, as {who}")
    if step.event in ("offline_payment_received", "balance_paid"):
        return record_payment(w, client, page, step, who)
    if step.event == "balance_waived":
        return waive_balance(w, client, page, step, who)
    forms = [f for f in page.forms if f.sends("event", step.event) and not _is_manual(f)]
    if not forms:
        raise no_surface(w, step, who, f"the console's case page has no form for `{step.event}`")
    form = forms[0]
    try:
        fill = fill_for(form, dict(step.given))
    except LookupError as exc:
        raise no_surface(w, step, who, str(exc)) from None
    button = next((b for b in form.buttons if b.get("name") == "event" and b.get("value") == step.event), None)
    return expect_redirect(w, send(client, form, button=button, fill=fill), step, f"the console, as {who}")


def _is_manual(form: Form) -> bool:
    return any("reason" in name or name == "manual" for name in form.field_names())


def expect_redirect(w: RouteWalker, response: HttpResponse, step: Step, where: str) -> str:
    if response.status_code not in (302, 303):
        raise Stop(
            f"{where} refused `{step.event}` ({response.status_code}): {problem_text(page_of(response, PUBLIC))}"
        )
    return where


def scan(w: RouteWalker, client: Client, step: Step, who: str, action: str) -> str:
    assert w.case is not None
    response, page = get(client, PUBLIC + reverse("console:scan"))
    # the form that records a scan (a code and what happened), not the station's look-up of a code
    forms = [f for f in page.forms if {"code", "action"} <= set(f.field_names())]
    if response.status_code != 200 or not forms:
        raise no_surface(w, step, who, "the scan station has no scan form")
    fill: dict[str, Any] = {"code": w.case.reference, "action": action}
    if action == "dispatched":
        fill |= {"carrier": "Royal Mail", "tracking_number": f"RM{w.number:03d}{w.case.state_seq:04d}GB"}
    answer = send(client, forms[0], fill=fill)
    if answer.status_code not in (302, 303):
        raise Stop(f"the scan station refused it ({answer.status_code}): {problem_text(page_of(answer, PUBLIC))}")
    return f"the scan station ({action}), as {who}"


def propose_quote(w: RouteWalker, client: Client, page: Page, step: Step, who: str) -> str:
    total = Decimal(str(step.given.get("quote_total", 0)))
    forms = [f for f in page.forms if "description" in f.field_names() and "price" in f.field_names()]
    if not forms:
        raise no_surface(w, step, who, "the quote panel offers no quote form")
    form = forms[0]
    if total > 0:
        button = next((b for b in form.buttons if b.get("value") == "quote"), None)
        _, address, data = form.submission(button=button, fill={"finding": "The battery holds half its charge."})
        data["description"] = ["New battery", "", ""]
        data["explanation"] = ["It holds less than half its charge: why it dies by lunchtime.", "", ""]
        data["price"] = [f"{total:.2f}", "", ""]
        response = client.post(path_of(address), data)
    else:
        button = next((b for b in form.buttons if b.get("value") == "none"), None)
        if button is None:
            raise no_surface(w, step, who, "the quote panel has no “No extra work” button")
        response = send(client, form, button=button)
    return expect_redirect(w, response, step, f"the quote panel, as {who}")


def record_payment(w: RouteWalker, client: Client, page: Page, step: Step, who: str) -> str:
    """Money seen arriving (a bank transfer of exactly what the customer was asked for)."""
    from touchpoint.payments.selectors import case_money

    assert w.case is not None
    money = case_money(case=w.case)
    amount = money.balance_due if step.event == "balance_paid" else money.price
    forms = [f for f in page.forms if "amount" in f.field_names() and "method" in f.field_names()]
    if not forms:
        raise no_surface(w, step, who, "the payments panel offers no way to record money received")
    fill = {"amount": f"{amount:.2f}", "method": "bank_transfer", "reference": f"{w.case.reference} transfer"}
    return expect_redirect(w, send(client, forms[0], fill=fill), step, f"the payments panel, as {who}")


def waive_balance(w: RouteWalker, client: Client, page: Page, step: Step, who: str) -> str:
    from touchpoint.payments.selectors import case_money

    assert w.case is not None
    due = case_money(case=w.case).balance_due
    if due <= 0:
        raise Stop(f"there is no balance to waive: case_money says £{due} is due in `{step.source}`")
    forms = [f for f in page.forms if f.sends("kind", "fee_waiver")]
    if not forms:
        raise no_surface(w, step, who, "the remedies panel offers no fee waiver")
    form = forms[0]
    button = next((b for b in form.buttons if b.get("value") == "apply"), None)
    if button is None:
        raise no_surface(w, step, who, "the fee waiver is over this person's limit (only “Ask a lead”)")
    fill = {"fee_waiver-amount": f"{due:.2f}", "fee_waiver-reason": "Goodwill: the repair took longer than promised."}
    fill = {k: v for k, v in fill.items() if k in form.field_names()}
    return expect_redirect(w, send(client, form, button=button, fill=fill), step, f"the remedies panel, as {who}")


def manual_record(w: RouteWalker, step: Step) -> str:
    recorder = step.who.recorder
    if recorder is None:
        raise no_surface(w, step, "anyone", "the journey lets nobody record it by hand")
    user = person(w, recorder, step)
    client = desk(w, user)
    who = f"{user.username}, recording the {step.who.kind}'s step by hand"
    page = console_page(w, client)
    forms = [f for f in page.forms if f.sends("event", step.event) and _is_manual(f)]
    if not forms:
        raise no_surface(w, step, who, f"the console offers no hand-recording of `{step.event}` with a reason")
    form = forms[0]
    fill = fill_for(form, dict(step.given))
    button = next((b for b in form.buttons if b.get("name") == "event" and b.get("value") == step.event), None)
    return expect_redirect(w, send(client, form, button=button, fill=fill), step, f"the console, {who}")


def write_personally(w: RouteWalker) -> None:
    """Customer care writes to the customer in their own words (what releases a held survey)."""
    user = w.shop.person_for(Actor("staff", role="agent", teams=frozenset({"care"})))
    client = desk(w, user)
    page = console_page(w, client)
    forms = [f for f in page.forms if "mode" in f.field_names() and "text" in f.field_names()]
    if not forms:
        raise Stop("the console has no reply form to write to the customer personally")
    fill = {"mode": "own", "text": "I'm sorry this went wrong. I've looked into it myself and it's sorted now."}
    button = next((b for b in forms[0].buttons if b.get("name") == "send"), None)
    response = send(w.desks[user.username], forms[0], button=button, fill=fill)
    if response.status_code not in (302, 303):
        raise Stop(f"the reply form refused a personal reply ({response.status_code})")


# --- the wait limit and the payment provider --------------------------------------------------------


def timer_fires(w: RouteWalker, step: Step) -> str:
    assert w.case is not None
    timer = (
        Timer.objects.filter(case=w.case, status=TimerStatus.PENDING, purpose="wait", event=step.event)
        .order_by("due_at")
        .first()
    )
    if timer is None:
        raise Stop(f"no pending wait timer fires `{step.event}` in `{step.source}`")
    w.moment = timer.due_at.replace(microsecond=0) + timedelta(seconds=1)  # just past the wait limit
    with w.now():
        w.edge.before_worker(w)
        w.worker.run_once()
    return f"the worker, the clock moved past the wait limit ({timer.due_at:%a %d %b %H:%M})"


def provider_reports(w: RouteWalker, step: Step) -> str:
    if step.event in ("payment_succeeded", "payment_declined"):
        return w.edge.webhook(w, paid=step.event == "payment_succeeded")
    if step.event == "balance_paid" and w.phone is not None:
        from tests.acceptance import browser

        surface = browser.act(w, step)
        return f"{surface}, then {w.edge.webhook(w, paid=True)}"
    if step.event == "balance_paid":
        page = customer_page(w)
        form = _act_form(page, "balance_paid") or _act_form(page, "card_submitted")
        pay = page.by_id("pay")
        if form is None and pay is not None:
            inner = [f for f in page.forms if pay in f.node.ancestors() and f.method == "post"]
            form = inner[0] if inner else None
        if form is None:
            raise no_surface(w, step, "the customer", "no card button in #pay to pay the balance")
        w.edge.expect_checkout(w)
        response = send(w.customer, form)
        if response.status_code not in (302, 303):
            raise Stop(
                f"paying the balance by card answered {response.status_code}: {problem_text(page_of(response, w.link))}"
            )
        w.edge.at_checkout(w, response["Location"], pays=True)
        return "the pay panel (#pay), the card provider's page, then " + w.edge.webhook(w, paid=True)
    raise no_surface(w, step, f"the {step.who.via} integration", "the walker knows no such report")


def drive(w: RouteWalker, step: Step) -> str:
    kind = step.who.kind
    if kind == "customer":
        return customer_act(w, step)
    if kind == "staff":
        return staff_act(w, step)
    if kind == "timer":
        return timer_fires(w, step)
    if kind == "system" and step.who.via is not None:
        return provider_reports(w, step)
    return manual_record(w, step)


# --- opening a case -----------------------------------------------------------------------------------


def open_case(w: RouteWalker) -> None:
    name = w.journey.name
    if name == "mail-in-repair":
        order_repair(w)
    elif name == "order-problem":
        report_problem(w)
    elif name == "walk-in-warranty":
        walk_in(w)
    else:
        raise Stop(f"the walker knows no surface that opens a {name} case")


def _new_case(w: RouteWalker, where: str) -> None:
    case = Case.objects.filter(journey__name=w.journey.name).order_by("-id").select_related("customer").first()
    if case is None:
        raise Stop(f"{where} opened no case")
    w.case = case


def order_repair(w: RouteWalker) -> None:
    if w.phone is not None:
        from tests.acceptance import browser

        browser.order(w)
        _new_case(w, "the order form on the phone")
        w.trace.lines.append("opened on the order form (/repair/) on the phone")
        return
    _, page = get(w.customer, PUBLIC + reverse("portal:intake"))
    forms = [f for f in page.forms if "shipping" in f.field_names()]
    if not forms:
        raise Stop("the order form (/repair/) has no order form")
    form = forms[0]
    models = [f.node.get("value") for f in form.fields if f.name == "model" and f.kind == "radio"]
    fill = {
        "model": models[0] if models else "nano-player-4g",
        "problem": "not_sure",
        "description": str(w.route.intake.get("problem_notes") or ""),
        "name": "Maya Walker",
        "email": w.email,
        "address_line1": "12 Mill Lane",
        "town": "Bristol",
        "postcode": "BS1 4DJ",
        "country": "GB",
        "shipping": "box" if w.route.intake.get("prepaid_box") else "post",
        "channel": "email",
    }
    answer = send(w.customer, form, fill={k: v for k, v in fill.items() if k in form.field_names()})
    if answer.status_code not in (302, 303):
        raise Stop(f"the order form refused the order ({answer.status_code}): {problem_text(page_of(answer, PUBLIC))}")
    _new_case(w, "the order form")
    w.trace.lines.append(f"opened on the order form (/repair/), prepaid box: {bool(w.route.intake.get('prepaid_box'))}")


def report_problem(w: RouteWalker) -> None:
    try:
        url = PUBLIC + reverse("portal:report")
    except NoReverseMatch:
        raise Stop("no surface opens an order-problem case: there is no public report form (portal:report)") from None
    response, page = get(w.customer, url)
    forms = [f for f in page.forms if "order_number" in f.field_names()]
    if response.status_code != 200 or not forms:
        raise Stop(f"the report form ({url}) answers {response.status_code} with no report form")
    form = forms[0]
    intake = w.route.intake
    what = "wrong_item" if intake.get("return_needed") else "damaged"
    fill = {
        "order_number": f"WO-{10000 + w.number}",
        "what_happened": what,
        "order_total": f"{Decimal(str(intake.get('order_total') or 25)):.2f}",
        "words": "The box was crushed and the part inside is bent." if what == "damaged" else "It's the wrong model.",
        "name": "Maya Walker",
        "email": w.email,
        "channel": "email",
    }
    if "return_needed" in form.field_names():
        fill["return_needed"] = "yes" if intake.get("return_needed") else "no"
    answer = send(w.customer, form, fill={k: v for k, v in fill.items() if k in form.field_names()})
    if answer.status_code not in (302, 303):
        raise Stop(f"the report form refused the report ({answer.status_code}): {problem_text(page_of(answer, url))}")
    _new_case(w, "the report form")
    assert w.case is not None
    if bool(w.case.data.get("return_needed")) != bool(intake.get("return_needed")):
        raise Stop(f"the report form opened a case with return_needed={w.case.data.get('return_needed')!r}")
    w.trace.lines.append(f"opened on the public report form ({what})")


def walk_in(w: RouteWalker) -> None:
    """The counter: find the customer (their tier is on their record), say what they brought, open."""
    intake = w.route.intake
    user = w.shop.person_for(Actor("staff", role="agent", teams=frozenset({"counter"})))
    client = desk(w, user)
    try:
        url = PUBLIC + reverse("console:walkin_new")
    except NoReverseMatch:
        raise Stop(
            "no surface opens a walk-in-warranty case: there is no walk-in counter form in the console"
        ) from None
    customer = w.shop.customer_with(tier=str(intake.get("tier") or "standard"))
    w.email = customer.email
    response, page = get(client, f"{url}?find={customer.email}")
    forms = [f for f in page.forms if "device" in f.field_names()]
    if response.status_code != 200 or not forms:
        raise Stop(f"the walk-in counter ({url}) answers {response.status_code} with no form for the device")
    form = forms[0]
    given = {
        "device": "Nano Player 4G earbuds",
        "serial": f"SN-WALK-{w.number:04d}",
        "problem_notes": "The left earbud crackles and cuts out.",
        "in_warranty": bool(intake.get("in_warranty")),
        "has_receipt": bool(intake.get("has_receipt")),
    }
    fill = fill_for(form, {k: v for k, v in given.items() if k in form.field_names()})
    fill = {k: v for k, v in fill.items() if k in given or k == "customer"}
    fill["customer"] = str(customer.pk)
    answer = send(client, form, fill=fill)
    if answer.status_code not in (302, 303):
        raise Stop(f"the walk-in counter refused it ({answer.status_code}): {problem_text(page_of(answer, url))}")
    _new_case(w, "the walk-in counter")
    w.trace.lines.append(f"opened at the walk-in counter by {user.username} for {customer.name} ({customer.tier})")


# --- the payment provider at the internet's edge --------------------------------------------------------


class StripeEdge:
    """Stripe, at the internet's edge: its API answered from recorded bodies (``tests/payments``),
    its webhooks signed by the ``stripe`` library as Stripe signs them and POSTed to ``/hooks/stripe``."""

    name = "Stripe (recorded)"

    def __init__(self, wire: Any) -> None:
        self.wire = wire
        self.events = 0
        self.sessions = 0

    def expect_checkout(self, w: RouteWalker) -> None:
        self.sessions += 1
        session = f"cs_test_walker{w.number:03d}n{self.sessions:03d}" + "0" * 40
        self.wire.reply("checkout_session_created", id=session, url=f"https://checkout.stripe.com/c/pay/{session}")

    def at_checkout(self, w: RouteWalker, url: str, *, pays: bool) -> None:
        if not url.startswith("https://checkout.stripe.com/"):
            raise Stop(f"“Pay by card” sent the customer to {url}, not Stripe's checkout")

    def _session(self, w: RouteWalker) -> Any:
        from touchpoint.payments.models import Payment

        payment = (
            Payment.objects.filter(case=w.case, provider="stripe").exclude(provider_ref="").order_by("-id").first()
        )
        if payment is None:
            raise Stop("the card provider has no checkout session for this case to report on")
        return payment

    def webhook(self, w: RouteWalker, *, paid: bool) -> str:
        from tests.payments.conftest import signed, stripe_event

        payment = self._session(w)
        self.events += 1
        recorded = "event_checkout_session_completed" if paid else "event_checkout_session_async_payment_failed"
        cents = int(payment.amount * 100)
        event = stripe_event(
            recorded,
            event_id=f"evt_walker_{w.number}_{self.events}",
            session_id=payment.provider_ref,
            amount_total=cents,
            amount_subtotal=cents,
            payment_intent=f"pi_walker_{w.number}_{payment.pk}",
            customer_email=w.case.customer.email if w.case else "",
            metadata={"case": w.case.reference if w.case else ""},
        )
        body, header = signed(event)
        response = Client().post(
            "/hooks/stripe", body, content_type="application/json", headers={"Stripe-Signature": header}
        )
        if response.status_code != 200:
            raise Stop(f"/hooks/stripe answered {response.status_code}: {response.content[:300]!r}")
        answer = json.loads(response.content)
        return f"Stripe's signed webhook {event['type']} (outcome {answer.get('outcome')})"

    def before_worker(self, w: RouteWalker) -> None:
        """Refunds the worker will send through Stripe get Stripe's answer (a refund that succeeds)."""
        from touchpoint.payments.models import Refund, RefundStatus

        queued = sum(1 for name, _, _ in self.wire.replies if name == "walker_refund")
        due = Refund.objects.filter(case=w.case, status=RefundStatus.TO_SEND, provider="stripe").count()
        for n in range(max(0, due - queued)):
            self.wire.replies.append(
                (
                    "walker_refund",
                    200,
                    {
                        "id": f"re_walker_{w.number}_{n}_{time.monotonic_ns()}",
                        "object": "refund",
                        "status": "succeeded",
                        "amount": 0,
                        "currency": "gbp",
                    },
                )
            )
