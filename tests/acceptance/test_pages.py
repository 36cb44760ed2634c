"""The page reader the walker drives forms with (tests/support/pages.py): what a browser would send,
and whether an anchor lands on a working control. No database."""

from __future__ import annotations

import pytest

from tests.support.pages import Page

PAGE = """<!doctype html><html><body>
<section id="actions"><h2>What you can do now</h2>
<form method="post" action="/c/tok/act/" id="act-box_delivered">
  <input type="hidden" name="event" value="box_delivered"><input type="hidden" name="version" value="3">
  <p>A paragraph left open
  <button type="submit">My repair kit has arrived</button>
</form>
<form method="post" action="/c/tok/act/" id="act-feedback">
  <fieldset><legend>Rating</legend>
    <input type="radio" name="csat" value="1"> <input type="radio" name="csat" value="5">
  </fieldset>
  <textarea name="comment">
kept</textarea>
  <input type="checkbox" name="consent" value="1" required>
  <select name="method"><option value="card">Card</option><option value="bank" selected>Bank</option></select>
  <button type="submit" name="action" value="preview">Preview</button>
  <button type="submit" name="action" value="send" formaction="/c/tok/send/">Send</button>
</form>
</section>
<section id="empty"><h2>Nothing here</h2><p>Just words.</p></section>
<div id="linked"><a href="/c/tok/label.pdf">Download the label</a></div>
<div id="disabled"><form action="/x"><button type="submit" disabled>No</button></form></div>
</body></html>"""


def page() -> Page:
    return Page.parse(PAGE, url="http://testserver/c/tok/")


def test_a_form_sends_its_hidden_fields_and_the_first_button() -> None:
    form = page().form_of(page().by_id("act-box_delivered"))  # type: ignore[arg-type]
    assert form is not None
    assert form.sends("event", "box_delivered")
    assert form.submission() == ("post", "http://testserver/c/tok/act/", {"event": "box_delivered", "version": "3"})


def test_filling_ticks_picks_and_types_and_the_pressed_button_decides_where_it_goes() -> None:
    form = page().forms[1]
    send = next(b for b in form.buttons if b.get("value") == "send")
    method, address, data = form.submission(button=send, fill={"csat": "5", "consent": True})
    assert (method, address) == ("post", "http://testserver/c/tok/send/")
    assert data == {"csat": "5", "comment": "kept", "consent": "1", "method": "bank", "action": "send"}


def test_what_no_person_could_type_is_refused() -> None:
    form = page().forms[1]
    with pytest.raises(LookupError, match="no field"):
        form.submission(fill={"rating": "5"})
    with pytest.raises(LookupError, match="no choice '4'"):
        form.submission(fill={"csat": "4"})
    with pytest.raises(LookupError, match="offers"):
        form.submission(fill={"method": "cash"})


def test_an_anchor_lands_on_a_working_control_or_on_nothing() -> None:
    p = page()
    assert [n.tag for n in p.controls_at("act-box_delivered")][:2] == ["form", "button"]
    assert [n.tag for n in p.controls_at("linked")] == ["a"]
    assert p.controls_at("empty") == []
    assert p.controls_at("disabled") == []
    assert p.controls_at("missing") == []
