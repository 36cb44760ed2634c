"""Photos a customer attaches on their case page: checked by what they are, not what they're called.

Pillow reads the header to learn the real format and size, then decodes the image and writes it
again. Writing it again is the point: nothing of the original file but its pixels survives, so no
EXIF (a phone's photo carries the GPS position of the customer's home), XMP, IPTC, JPEG comments,
PNG text chunks, colour profiles or trailing bytes, and a file that only pretends to be an image
never reaches storage. Pillow carries some of what it read (a JPEG comment, a PNG's ICC profile)
into what it writes, so the pixels are moved into an image with no metadata before saving.

A colour profile is not kept but applied: the pixels are converted to sRGB, what browsers assume
for an untagged image, so a wide-gamut phone photo keeps its colours without carrying a blob of
the device's data (profiles can be megabytes and hold free text)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# A JPEG holding several pictures (a second view, a depth map), as many phones write: Pillow names
# it MPO; to the customer and to every browser it is a JPEG, and its first picture is the photo.
ALIASES = {"MPO": "JPEG"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
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
            kind = ALIASES.get(image.format or "", image.format or "")
            if kind not in FORMATS:
                raise PhotoRefused(
                    f"“{name}” isn't a JPEG, PNG or WebP photo. Take a screenshot of it, or save it as JPEG."
                )
            width, height = image.size
            if width * height > settings.TOUCHPOINT_PHOTO_MAX_PIXELS:
                raise PhotoRefused(f"“{name}” is {width}×{height} pixels, more than we can take. Send a smaller copy.")
            image.load()
            upright = _pixels_only(ImageOps.exif_transpose(image))  # which way up it was taken, then no EXIF
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


def _pixels_only(image: Image.Image) -> Image.Image:
    """The pixels of ``image`` (its first frame) in sRGB, in an image that carries nothing else."""
    if "transparency" in image.info:  # a palette or a colour key: make it pixels before info goes
        image = image.convert("RGBA")
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, _SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB"
            )
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile lcms can't use: the pixels as they are, untagged, are still the photo
    pixels = image.copy()
    pixels.info = {}
    return pixels
