"""What the demo's customers said: comments for their ratings (with recurring themes, and the
odd phone number the wall's redaction takes out), and the wall and themes built from them."""

from __future__ import annotations

import random

from touchpoint.cases.models import Case
from touchpoint.core import clock
from touchpoint.feedback.services import feedback_give, wall_sync
from touchpoint.staff.models import StaffUser
from touchpoint.themes.models import ThemeRun
from touchpoint.themes.services import customer_texts, themes_rebuild
from touchpoint.wall.models import Kind, Status, WallItem
from touchpoint.wall.services import wall_item_answer, wall_item_publish

PRAISE = [
    "Norm kept me posted every step of the way and the emails made me smile.",
    "Battery lasts all day again, brilliant work on the battery.",
    "The prepaid box made it so easy, and it came back well packed.",
    "Sam explained what was wrong and the battery swap was quick.",
    "Kept me posted the whole time, I never had to chase.",
    "Fast, friendly and honest about the price. Would use again.",
    "Screen looks brand new, and they kept me posted throughout.",
    "Great service, call me on 07700 900461 if you want a testimonial!",
]
MIXED = [
    "Good repair but the courier left the parcel with a neighbour.",
    "Fixed in the end, though the battery still drains a bit overnight.",
]
COMPLAINTS = [
    "The courier lost my parcel on the way back and nobody told me for days.",
    "Battery drains overnight again a week after the repair.",
    "Courier left the parcel on the doorstep in the rain.",
    "Battery dies by lunchtime, the new battery is no better.",
    "No updates for days while it sat in surgery.",
]
ANSWERS = {
    "courier": "You're right, and we're sorry. We've moved returns to a tracked, signed-for service.",
    "battery": "Sorry about that. Send it back on us: we'll test the battery and replace it free if it's at fault.",
    "": "Thank you for telling us. A person from our team will be in touch to put it right.",
}


def rating_order(rng: random.Random) -> list[int]:
    """Ratings to try, most believable first: mostly happy customers, some not."""
    first = rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
    return [first, *[r for r in (5, 4, 3, 2, 1) if r != first]]


def comment_for(csat: int, rng: random.Random) -> str:
    pool = PRAISE if csat >= 4 else MIXED if csat == 3 else COMPLAINTS
    return rng.choice(pool)


def give_demo_feedback(*, case: Case, csat: int, rng: random.Random) -> Case:
    """The customer's feedback through the real service (it moves the case on), mostly with consent."""
    customer = case.customer
    consent = rng.random() < 0.85
    given = feedback_give(
        case=case,
        version=case.version,
        csat=csat,
        comment=comment_for(csat, rng) if rng.random() < 0.9 else "",
        consent_publish=consent,
        display_name=customer.first_name if consent else "",
        town=customer.town if consent else "",
    )
    return given.case


def demo_wall_and_themes(*, staff: dict[str, StaffUser]) -> None:
    """Priya moderates the wall (all but the newest two, which wait for a person) and answers the
    complaints; then the themes are grouped. Idempotent: only pending items are touched."""
    wall_sync()
    lead = staff["priya"]
    pending = list(WallItem.objects.filter(status=Status.PENDING).order_by("created_at"))
    for item in pending[:-2] if len(pending) > 2 else []:
        with clock.at(item.created_at):
            wall_item_publish(item=item, user=lead)
            if item.kind == Kind.COMPLAINT:
                topic = next((key for key in ("courier", "battery") if key in item.text.lower()), "")
                wall_item_answer(item=item, user=lead, answer=ANSWERS[topic])
    last = ThemeRun.objects.first()
    if last is None or last.texts != len(customer_texts()):  # only when there is something new to group
        themes_rebuild(seed=0)
