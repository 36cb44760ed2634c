"""J220-J227: the case data a journey declares (read only where set, every field used, writes that
fit) and its events (each has a recorder and a label, guards that hold for real values)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from touchpoint.journeys import graph
from touchpoint.journeys.checker.context import Context
from touchpoint.journeys.checker.wording import and_words, listing, or_words, show, suggest
from touchpoint.journeys.diagnostics import Diagnostic
from touchpoint.journeys.guards import Domain, field_offsets, guard_fields, holds_within
from touchpoint.journeys.model import DataField


def data_undeclared(ctx: Context) -> Iterator[Diagnostic]:
    declared = list(ctx.journey.data)
    for i, name in ctx.undeclared_reads:
        guard = ctx.journey.transitions[i].guard
        if declared:
            message = f"the guard `{guard}` reads `{name}`, which isn't declared under `data:`"
            fix = suggest(name, declared, f"declare it under `data:`: `{name}: {{type: …, meaning: …}}`")
        else:
            message = f"the guard `{guard}` reads `{name}`, but the journey declares no case data"
            fix = (
                f"add a `data:` section declaring `{name}` (its `type`, its `meaning`, and where it is set: "
                "`intake: true`, an `initial` value, or a move's `sets:` or `asks:`)"
            )
        yield ctx.finding("J220", message, fix, ctx.guard_field_at(i, name))


def _unset_route(ctx: Context, name: str, goal: str) -> list[tuple[str, str | None]]:
    """A shortest route from ``start`` to ``goal`` on which no move sets or asks for ``name``:
    each state with the event that led into it (None for the first)."""
    start = ctx.journey.start
    parent: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue and goal not in parent:
        source = queue.popleft()
        for edge in ctx.out_edges.get(source, []):
            transition = ctx.journey.transitions[edge.transition]
            if edge.target in parent or name in transition.sets or name in transition.asks:
                continue
            parent[edge.target] = (source, transition.on)
            queue.append(edge.target)
    route: list[tuple[str, str | None]] = []
    node: str | None = goal
    while node is not None and node in parent:
        step = parent[node]
        route.append((node, step[1] if step else None))
        node = step[0] if step else None
    return route[::-1]


def _route_words(route: list[tuple[str, str | None]]) -> str:
    return " ".join(f"─{event}→ `{state}`" if event else f"`{state}`" for state, event in route)


def data_unset(ctx: Context) -> Iterator[Diagnostic]:
    for i, name, state in ctx.unset_reads:
        transition = ctx.journey.transitions[i]
        route = _unset_route(ctx, name, state)
        if len(route) <= 1:
            how = f"a case opens in `{state}` without it"
        else:
            how = f"nothing sets it on the route {_route_words(route)}"
        yield ctx.finding(
            "J221",
            f"the guard `{transition.guard}` reads `{name}` before anything may have set it: "
            f"transition #{i + 1} leaves `{state}`, and {how}",
            f"set `{name}` on every route into `{state}` (a move's `sets:` or `asks:`), gather it at intake "
            f"(`intake: true`) or give it an `initial` value; or have this move ask for it (`asks: [{name}]`)",
            ctx.guard_field_at(i, name),
            tuple(state for state, _ in route),
        )


def data_unused(ctx: Context) -> Iterator[Diagnostic]:
    data = ctx.journey.data
    written = {name for t in ctx.journey.transitions for name in (*t.sets, *t.asks)}
    read = {name for t in ctx.journey.transitions for name in guard_fields(t.guard)}
    read |= {t.refund for t in ctx.journey.transitions if t.refund is not None}
    for name, declared in data.items():
        where = ctx.loaded.source.at(("data", name), key=True)
        if not declared.set_on_open and name not in written:
            yield ctx.finding(
                "J222",
                f"`{name}` is declared, but nothing sets it: not intake, no `initial` value, "
                "and no move `sets` it or `asks` for it",
                f"set it where it becomes known (`sets: {{{name}: …}}` or `asks: [{name}]` on a move, "
                "`intake: true`, or an `initial` value), or remove it",
                where,
            )
        elif not declared.intake and name not in read:
            yield ctx.finding(
                "J222",
                f"`{name}` is set, but no guard or `refund` reads it, and it isn't intake data shown to staff",
                f"read it where it decides something (a guard such as `{name}`), or remove it and what sets it",
                where,
            )


def data_bad_writes(ctx: Context) -> Iterator[Diagnostic]:
    data = ctx.journey.data
    declared = list(data)

    def undeclared(what: str, name: str) -> tuple[str, str]:
        if declared:
            return (
                f"{what} `{name}`, which isn't declared under `data:`",
                suggest(name, declared, f"declare it under `data:`: `{name}: {{type: …, meaning: …}}`"),
            )
        return (
            f"{what} `{name}`, but the journey declares no case data",
            f"add a `data:` section declaring `{name}` (its `type` and `meaning`)",
        )

    for i, transition in enumerate(ctx.journey.transitions):
        for name in transition.sets:
            if name not in data:
                message, fix = undeclared(f"transition #{i + 1} sets", name)
                where = ctx.loaded.source.at(("transitions", i, "sets", name), key=True)
                yield ctx.finding("J223", message, fix, where)
        for k, name in enumerate(transition.asks):
            if name not in data:
                message, fix = undeclared(f"transition #{i + 1} asks for", name)
                yield ctx.finding("J223", message, fix, ctx.loaded.source.at(("transitions", i, "asks", k)))
        refund = transition.refund
        if refund is not None and refund != "all":
            money = [n for n, f in data.items() if f.type == "money"]
            field = data.get(refund)
            if field is None:
                message = f"transition #{i + 1} refunds `{refund}`, which is neither `all` nor a declared field"
                fix = suggest(refund, [*money, "all"], "write `refund: all`, or name a `money` field of `data:`")
            elif field.type != "money":
                message = f"transition #{i + 1} refunds `{refund}`, a {field.type} field: a refund pays back money"
                fix = "write `refund: all`, or name a `money` field of `data:`" + (
                    f" ({listing(money)})" if money else ""
                )
            else:
                continue
            yield ctx.finding("J223", message, fix, ctx.loaded.transition_at(i, "refund"))
        timed = [s for s in ctx.live_sources(transition) if ctx.states[s].on_timeout == transition.on]
        if transition.asks and timed:
            yield ctx.finding(
                "J223",
                f"transition #{i + 1} is the timeout of `{timed[0]}` and asks for "
                f"{and_words([f'`{a}`' for a in transition.asks])}, but a timer gives no values: it would be "
                "refused, and the case would stay where it is",
                "leave `asks` off the timeout (people can record a move of their own that asks), "
                "or write a constant with `sets:`",
                ctx.loaded.source.at(("transitions", i, "asks"), key=True),
            )


def _recorders(ctx: Context, indexes: list[int]) -> set[str]:
    """Who may record a transition of ``indexes`` that can fire (a defined target, a guard that can hold)."""
    moves = [ctx.journey.transitions[i] for i in indexes]
    return {who for t in moves if t.to in ctx.states and graph.can_hold(t.guard) for who in t.by}


def events_unrecordable(ctx: Context) -> Iterator[Diagnostic]:
    typos = {typo.written for typo in ctx.misspelt_events.values()}
    for (name, event), indexes in ctx.journey.index.items():
        state = ctx.states.get(name)
        if state is None or state.terminal or (ctx.reached and name not in ctx.reached) or event in typos:
            continue  # J101, J210, J201 and J102 speak for these
        if state.on_timeout is None or (name, state.on_timeout) not in ctx.journey.index:
            continue  # J203 or J102: the state's timer is missing, and its event is likely this one
        who = _recorders(ctx, indexes)
        info = ctx.journey.events.get(event)
        if not who or who != {"system"} or event == state.on_timeout or (info is not None and info.via):
            continue
        first = indexes[0]
        yield ctx.finding(
            "J224",
            f"nothing can record `{event}` in `{name}`: only `system` may, it isn't the timeout of `{name}`, "
            "and no integration reports it (`via`)",
            "say who records it in `by` (e.g. `team:<name>`, `carrier` or `customer`), make it the state's "
            f"`on_timeout`, or name the integration that reports it under `events:` "
            f"(`{event}: {{label: …, via: payments}}`)",
            ctx.from_at(first, ctx.journey.transitions[first].from_.index(name)),
        )


def events_unlabelled(ctx: Context) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    people: dict[str, dict[str, None]] = {}
    for i, transition in enumerate(ctx.journey.transitions):
        if not ctx.live_sources(transition) or transition.to not in ctx.states or i in ctx.misspelt_events:
            continue  # a misspelt event (J102) needs correcting, not a label
        first.setdefault(transition.on, i)
        people.setdefault(transition.on, {}).update(dict.fromkeys(w for w in transition.by if w != "system"))
    for event, i in first.items():
        who = list(people[event])
        if not who or event in ctx.journey.events:
            continue
        customer = " (and `customer:` for the customer's button)" if "customer" in who else ""
        yield ctx.finding(
            "J225",
            f"`{event}` is recorded by {and_words([f'`{w}`' for w in who])}, but has no `label` under `events:`, "
            f"so they would see “{ctx.journey.event_label(event)}”",
            f"add it under `events:` with the words on its button, e.g. `{event}: <what the button says>`{customer}",
            ctx.loaded.transition_at(i, "on"),
        )


def events_label_unused(ctx: Context) -> Iterator[Diagnostic]:
    taken = list(dict.fromkeys(t.on for t in ctx.journey.transitions))
    meant = {typo.meant for typo in ctx.misspelt_events.values()}  # J102 asks for these to be taken
    for event in ctx.journey.events:
        if event not in taken and event not in meant:
            yield ctx.finding(
                "J226",
                f"`events:` describes `{event}`, but no transition takes it",
                suggest(event, taken, "remove it, or add the transition it belongs to"),
                ctx.loaded.source.at(("events", event), key=True),
            )


def _values_words(name: str, declared: DataField, domain: Domain) -> str:
    """What a field can be, and why: "`repaired` is only ever false (its `initial` value; …)"."""
    if domain.fits is not None:
        return f"`{name}` is {_type_words(declared)}"
    shown = or_words([show(v) for v in dict.fromkeys(domain.values)]) if domain.values else "missing"
    sources = []
    if declared.initial is not None:
        sources.append("its `initial` value")
    if len(domain.values) > (declared.initial is not None):
        sources.append("what moves `sets`")
    because = f" ({and_words(sources)}; no move sets it otherwise)" if sources else ""
    return f"`{name}` is only ever {shown}{because}"


def _type_words(declared: DataField) -> str:
    """Any value of a declared type, in words: "one of `standard` or `gold`", "a whole number from 1 to 5"."""
    if declared.type == "choice":
        return "one of " + or_words([f"`{c}`" for c in declared.choices or ()])
    if declared.type == "boolean":
        return "true or false"
    if declared.type in ("text", "address"):
        return "text" if declared.type == "text" else "an address"
    kind = {"integer": "a whole number", "money": "an amount"}.get(declared.type, "a number")
    low, high = (
        None if b is None else show(int(b) if float(b).is_integer() else b) for b in (declared.min, declared.max)
    )
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None or high is not None:
        return f"{kind} of at least {low}" if low is not None else f"{kind} of at most {high}"
    return kind


def guards_dead_for_data(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.journey.data or not ctx.reached:
        return
    domains = ctx.domains
    for i, transition in enumerate(ctx.journey.transitions):
        guard = transition.guard
        if guard is None or i in ctx.unsettled or not graph.can_hold(guard):
            continue  # J220/J221 first; J211 already says a self-contradicting guard is dead
        if not any(s in ctx.reached for s in ctx.live_sources(transition)) or transition.to not in ctx.states:
            continue
        if holds_within(guard, domains):
            continue
        read = [n for n in field_offsets(guard) or sorted(guard_fields(guard)) if n in domains]
        # name the fields whose values alone rule it out (the guard could hold if they were free)
        culprits = [n for n in read if holds_within(guard, {k: d for k, d in domains.items() if k != n})]
        why = and_words([_values_words(n, ctx.journey.data[n], domains[n]) for n in culprits or read])
        yield ctx.finding(
            "J227",
            f"the guard `{guard}` can never be true for the values its fields take"
            + (f": {why}" if why else "")
            + f"; transition #{i + 1} never fires",
            "set the field where it becomes known (`sets:` on the move that makes it so, or `asks:` for a "
            "value a person gives), or correct the guard",
            ctx.loaded.transition_at(i, "guard"),
        )
