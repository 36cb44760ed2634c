"""The shop pages' forms: the shop's settings and one catalog item (also each row of a CSV import)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from PIL import Image

from touchpoint.catalog.models import DeviceKind
from touchpoint.core.forms import MoneyField, WholeNumberField
from touchpoint.inbox.photos import ACCEPT, PhotoRefused, photo_clean
from touchpoint.shop.colours import MIN_CONTRAST, colour_normalise, contrast_with_white
from touchpoint.shop.currencies import CODES
from touchpoint.shop.services import Logo

LOGO_BOX = (600, 240)  # twice the size emails show it at, for sharp phone screens: a few KB, not MB
ADDRESS_LINES = 6  # what fits on the prepaid label beside the barcode
CATALOG_PRICE_MAX = Decimal("999999.99")  # the catalog's columns: eight digits, two decimals


class ShopSettingsForm(forms.Form):
    stamp = forms.CharField(max_length=32, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Shop name",
        max_length=120,
        strip=True,
        error_messages={"required": "Write the shop's name, as customers know it."},
    )
    address = forms.CharField(
        label="Postal address",
        help_text=f"One line per line, up to {ADDRESS_LINES}: customers post their devices here, "
        "and it is printed on the prepaid label.",
        max_length=600,
        strip=True,
        widget=forms.Textarea(attrs={"rows": ADDRESS_LINES}),
        error_messages={"required": "Write the shop's postal address: parcels are sent to it."},
    )
    sender_name = forms.CharField(
        label="Sender name",
        help_text="Who emails are from, as the customer's inbox shows it, e.g. “Norm at the Repair Shop”.",
        max_length=120,
        required=False,
        strip=True,
    )
    sender_email = forms.EmailField(
        label="Sender address",
        help_text="The address emails come from; replies go to each case's own reply address.",
        max_length=254,
        error_messages={
            "required": "Write the address emails come from, e.g. norm@your-shop.example.",
            "invalid": "Write the address emails come from as name@domain, e.g. norm@your-shop.example.",
        },
    )
    bank_details = forms.CharField(
        label="Bank details",
        help_text="Shown to customers who pay by bank transfer. Empty: they are asked to reply for the details.",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    currency = forms.CharField(
        label="Currency",
        help_text="Its ISO 4217 code, e.g. GBP, EUR, USD. Amounts already recorded keep their figures.",
        max_length=3,
        min_length=3,
        strip=True,
        error_messages={
            "required": "Write the shop's currency as its three-letter code, e.g. GBP.",
            "min_length": "Write the currency as its three-letter code, e.g. GBP, EUR or USD.",
            "max_length": "Write the currency as its three-letter code, e.g. GBP, EUR or USD.",
        },
    )
    brand_colour = forms.CharField(
        label="Brand colour",
        help_text="As #rrggbb. Buttons in emails take it, with white text: it must be dark enough to read.",
        max_length=30,
        strip=True,
        error_messages={
            "required": "Write the brand colour as #rrggbb, e.g. #1f5fa8.",
            "max_length": "Write the brand colour as #rrggbb, e.g. #1f5fa8.",
        },
    )
    logo = forms.FileField(
        label="Logo",
        help_text="A JPEG, PNG or WebP image; leave empty to keep the one there is.",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    logo_remove = forms.BooleanField(label="Remove the logo", required=False)

    def __init__(self, *args: Any, currency_locked: str = "", **kwargs: Any) -> None:
        """``currency_locked``: the currency the shop has taken money in, which stays (its prices,
        payments and refunds are in it); the field then shows it and takes no other."""
        super().__init__(*args, **kwargs)
        if currency_locked:
            field = self.fields["currency"]
            field.disabled = True
            field.help_text = (
                f"The shop has taken payments in {currency_locked.upper()}, so its currency stays "
                f"{currency_locked.upper()}: its prices, payments and refunds are all in it."
            )

    def clean_address(self) -> str:
        lines = [line.strip() for line in str(self.cleaned_data["address"]).splitlines() if line.strip()]
        if len(lines) > ADDRESS_LINES:
            raise forms.ValidationError(
                f"The address has {len(lines)} lines; at most {ADDRESS_LINES} fit on the prepaid label. "
                "Join some, e.g. the town and postcode."
            )
        return "\n".join(lines)

    def clean_currency(self) -> str:
        code = str(self.cleaned_data["currency"]).lower()
        if code not in CODES:
            raise forms.ValidationError(
                f"“{code.upper()}” isn't a currency code we know: use an ISO 4217 code such as GBP, EUR or USD."
            )
        return code

    def clean_brand_colour(self) -> str:
        typed = str(self.cleaned_data["brand_colour"])
        colour = colour_normalise(typed)
        if colour is None:
            raise forms.ValidationError(f"“{typed}” isn't a colour: write it as #rrggbb, e.g. #1f5fa8.")
        ratio = contrast_with_white(colour)
        if ratio < MIN_CONTRAST:
            raise forms.ValidationError(
                f"White text on {colour} has a contrast of {ratio:.1f}:1, too faint to read a button's label "
                f"(it needs {MIN_CONTRAST}:1). Choose a darker colour."
            )
        return colour

    def clean_logo(self) -> Logo | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size is not None and upload.size > settings.TOUCHPOINT_PHOTO_MAX_BYTES:
            limit = settings.TOUCHPOINT_PHOTO_MAX_BYTES / (1024 * 1024)
            raise forms.ValidationError(f"“{upload.name}” is too large: a logo can be up to {limit:.1f} MB.")
        try:
            photo = photo_clean(data=upload.read(), filename=upload.name or "logo")
        except PhotoRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return Logo(data=logo_fit(photo.data, photo.extension), extension=photo.extension)


def logo_fit(data: bytes, extension: str) -> bytes:
    """The checked image, made no larger than :data:`LOGO_BOX` (proportions kept)."""
    with Image.open(io.BytesIO(data)) as image:
        if image.width <= LOGO_BOX[0] and image.height <= LOGO_BOX[1]:
            return data
        image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension], quality=88)
        return out.getvalue()


class CatalogItemForm(forms.Form):
    """One catalog item; ``editing`` an existing one leaves its slug out (cases store it)."""

    slug = forms.SlugField(
        label="Slug",
        help_text="The short name cases store, e.g. nano-4g. It can't change once added.",
        max_length=60,
        error_messages={
            "required": "Give it a slug, the short name cases store, e.g. nano-4g.",
            "invalid": "A slug has only lower-case letters, digits and hyphens, e.g. nano-4g.",
        },
    )
    active = forms.BooleanField(label="Offered on the order form", required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()


class DeviceModelForm(CatalogItemForm):
    name = forms.CharField(
        label="Name", max_length=120, strip=True, error_messages={"required": "Write the model's name."}
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=DeviceKind.choices,
        error_messages={
            "required": "Choose what kind of device it is.",
            "invalid_choice": "The kind must be one of: " + ", ".join(DeviceKind.values) + ".",
        },
    )
    diagnosis_price = MoneyField(
        label="Diagnosis price",
        max_value=CATALOG_PRICE_MAX,
        min_value=Decimal("0"),
        error_messages={"required": "Write the diagnosis price."},
    )


class ProblemForm(CatalogItemForm):
    label = forms.CharField(
        label="Label",
        help_text="As customers say it, e.g. “Cracked screen”.",
        max_length=120,
        strip=True,
        error_messages={"required": "Write the problem as customers say it."},
    )
    typical_price = MoneyField(
        label="Typical price",
        max_value=CATALOG_PRICE_MAX,
        min_value=Decimal("0"),
        error_messages={"required": "Write the typical price."},
    )
    position = WholeNumberField(
        label="Place in the list",
        help_text="0 comes first.",
        min_value=0,
        max_value=32767,
        error_messages={
            "required": "Write its place in the list (0 first).",
            "invalid": "Write its place as a whole number, e.g. 3.",
        },
    )


FORMS: dict[str, type[CatalogItemForm]] = {"models": DeviceModelForm, "problems": ProblemForm}
