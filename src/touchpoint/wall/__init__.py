"""The wall: customers' published compliments and complaints, side by side, each with the shop's
answer. Personal data is redacted automatically before a person approves; an item may be hidden
only for personal data or abuse, with the reason recorded, and the public page counts what it
hides, so hiding the bad ones shows."""
