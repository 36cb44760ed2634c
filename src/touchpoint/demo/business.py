"""The demo business: a fictional mail-in repair shop for music players, phones and tablets."""

from __future__ import annotations

from decimal import Decimal

STAFF = [
    # username, first, last, role, teams
    ("admin", "Ada", "Admin", "admin", ["care"]),
    ("priya", "Priya", "Lead", "lead", ["care", "intake", "warehouse"]),
    ("alex", "Alex", "Intake", "agent", ["intake", "shipping", "counter"]),
    ("sam", "Sam", "Bench", "agent", ["bench"]),
    ("jo", "Jo", "Care", "agent", ["care", "warehouse"]),
]

TEAMS = {
    "intake": "Intake",
    "shipping": "Shipping",
    "bench": "Bench (the surgeons)",
    "care": "Customer care",
    "warehouse": "Warehouse",
    "counter": "Service counter",
}

DEVICE_MODELS = [
    ("nano-player-4g", "Nano Player 4G", "music_player", "29.00"),
    ("nano-player-7g", "Nano Player 7G", "music_player", "29.00"),
    ("classic-player-160", "Classic Player 160", "music_player", "35.00"),
    ("shuffle-clip-2", "Shuffle Clip 2", "music_player", "19.00"),
    ("hifi-player-mod", "Hi-Fi Player (modified)", "music_player", "45.00"),
    ("pocket-phone-11", "Pocket Phone 11", "phone", "39.00"),
    ("pocket-phone-12-mini", "Pocket Phone 12 mini", "phone", "39.00"),
    ("pocket-phone-13-pro", "Pocket Phone 13 Pro", "phone", "49.00"),
    ("slate-tab-9", "Slate Tab 9", "tablet", "45.00"),
    ("slate-tab-air-10", "Slate Tab Air 10", "tablet", "49.00"),
    ("slate-tab-pro-12", "Slate Tab Pro 12", "tablet", "59.00"),
]

PROBLEMS = [
    ("wont-turn-on", "Won't turn on", "49.00"),
    ("battery", "Battery runs down fast", "39.00"),
    ("screen", "Cracked or dead screen", "79.00"),
    ("no-sound", "No sound, or sound in one ear", "35.00"),
    ("water", "Got wet", "59.00"),
    ("buttons", "Buttons or click wheel stuck", "29.00"),
    ("not_sure", "Not sure what's wrong", "0.00"),
]

CUSTOMERS = [
    ("Ian Kearns", "Leeds"),
    ("Maya Okafor", "Bristol"),
    ("Tom Riley", "York"),
    ("Sofia Marin", "Brighton"),
    ("Dev Patel", "Leicester"),
    ("Hannah Kim", "Glasgow"),
    ("Owen Price", "Cardiff"),
    ("Lena Vogel", "Bath"),
    ("Sam Adeyemi", "Manchester"),
    ("Chloe Martin", "Norwich"),
    ("Ravi Shah", "Coventry"),
    ("Grace O'Neill", "Belfast"),
    ("Luca Bianchi", "Oxford"),
    ("Aisha Rahman", "Birmingham"),
    ("Ben Carter", "Exeter"),
    ("Nina Petrova", "Edinburgh"),
    ("Jack Turner", "Sheffield"),
    ("Emma Lewis", "Swansea"),
    ("Noah Evans", "Derby"),
    ("Zara Ali", "Nottingham"),
]

TIERS = ["standard"] * 6 + ["gold"] * 3 + ["platinum"]


def price(text: str) -> Decimal:
    return Decimal(text)


# What customers write in "Tell us what happened" on the order form (often nothing at all).
DESCRIPTIONS = [
    "",
    "",
    "It went quiet in one ear last week, then stopped altogether.",
    "Dropped it on the kitchen floor. The screen lit up once and hasn't since.",
    "The battery is flat by lunchtime even though it's been charging all night.",
    "It fell in the bath for a second. Dried it in rice but it won't switch on.",
    "The click wheel sticks and skips two songs at a time.",
    "No idea what's wrong: it just won't turn on any more.",
]
