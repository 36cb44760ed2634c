"""Photos a customer attaches on their case page: checked by what they are, not what they're called.

Pillow reads the header to learn the real format and size, then decodes the image and writes it
again. Writing it again is the point: nothing of the original file but its pixels survives, so no
EXIF (a phone's photo carries the GPS position of the customer's home), no comments, no trailing
bytes, and a file that only pretends to be an image never reaches storage."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
ACCEPT = ",".join(["image/jpeg", "image/png", "image/webp"])  # for the file input's `accept`


class PhotoRefused(ValueError):
    """Why one photo can't be kept, worded for the customer with what to do about it."""


@dataclass(frozen=True)
class Photo:
    data: bytes  # re-encoded: pixels only
    content_type: str
    extension: str
    filename: str  # the customer's name for it, for display only (storage uses a random name)
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _display_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return (name or "photo")[:120]


def photo_clean(*, data: bytes, filename: str) -> Photo:
    """The photo, re-encoded without metadata; raises PhotoRefused (never anything else) for a
    file that is too large, not a JPEG, PNG or WebP, too many pixels, or unreadable."""
    name = _display_name(filename)
    limit = settings.TOUCHPOINT_PHOTO_MAX_BYTES
    if len(data) > limit:
        raise PhotoRefused(
            f"“{name}” is {_megabytes(len(data))}; each photo can be up to {_megabytes(limit)}. "
            "Try a smaller size in your phone's share options, or a screenshot of it."
        )
    if not data:
        raise PhotoRefused(f"“{name}” is empty. Choose the photo again.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind not in FORMATS:
                raise PhotoRefused(
                    f"“{name}” isn't a JPEG, PNG or WebP photo. Take a screenshot of it, or save it as JPEG."
                )
            width, height = image.size
            if width * height > settings.TOUCHPOINT_PHOTO_MAX_PIXELS:
                raise PhotoRefused(f"“{name}” is {width}×{height} pixels, more than we can take. Send a smaller copy.")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep which way up it was taken, then drop EXIF
            out = io.BytesIO()
            if kind == "JPEG":
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=88)
            elif kind == "PNG":
                upright.save(out, "PNG")
            else:
                upright.save(out, "WEBP", quality=88)
    except PhotoRefused:
        raise
    except UnidentifiedImageError as exc:  # not an image format Pillow knows at all
        raise PhotoRefused(
            f"“{name}” isn't a JPEG, PNG or WebP photo. Take a screenshot of it, or save it as JPEG."
        ) from exc
    except Exception as exc:  # Pillow raises many kinds on a broken file; each means "can't read it"
        raise PhotoRefused(
            f"“{name}” couldn't be read as a photo (it may be damaged or incomplete). Try taking it again."
        ) from exc
    content_type, extension = FORMATS[kind]
    return Photo(out.getvalue(), content_type, extension, name, upright.width, upright.height)
