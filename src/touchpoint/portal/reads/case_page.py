"""What the customer's case page shows besides its panels: where the case is, the persona that
speaks, the ETA and the customer's timeline. Three queries however old the case or the shop: the
case's moves (shared by the timeline and the ETA's time in state), the messages sent, the stored
ETA figure; the journey and persona are parsed once per process."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case
from touchpoint.journeys import Journey
from touchpoint.journeys.model import State
from touchpoint.portal.reads.customer_timeline import CustomerTimelineItem, case_moves, customer_timeline
from touchpoint.portal.reads.eta import Eta, case_eta, eta_sentence


@dataclass(frozen=True)
class CasePage:
    journey: Journey
    state: State
    eta: Eta | None
    eta_text: str
    timeline: list[CustomerTimelineItem]


def case_page_model(*, case: Case) -> CasePage:
    journey = journey_of(case.journey)
    moves = case_moves(case=case)
    eta = case_eta(case=case, moves=moves)
    return CasePage(
        journey=journey,
        state=journey.states[case.state],
        eta=eta,
        eta_text=eta_sentence(eta) if eta is not None else "",
        timeline=customer_timeline(case=case, moves=moves),
    )
