"""A photo a customer sends keeps its pixels and nothing else (issue 13, smaller findings).

Each photo is sent from the customer's case page carrying one kind of hidden data (a phone's EXIF
with the GPS position of their home, XMP, IPTC, an ICC profile, a JPEG comment, PNG text chunks,
bytes after the end of the image) and read back the way staff see it, through the console's file
URL. None of it may survive, in any of the formats we accept."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageCms, PngImagePlugin

from tests.inbox.mails import mail, webhook_post
from tests.support.factories import StaffFactory
from touchpoint.cases.models import Case
from touchpoint.inbox.models import InboundAttachment
from touchpoint.links.services import link_token

NONCE = "0123456789abcdef0123456789abcdef"
MARK = b"HOME-51.5007N-0.1246W"  # what must not leave the customer's phone
# Every key Pillow fills from metadata when it reads a file back; pixels fill none of them.
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile", "photoshop", "Comment", "Description"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def picture() -> Image.Image:
    image = Image.new("RGB", (40, 30), (200, 40, 40))
    image.paste((20, 160, 60), (0, 0, 20, 30))  # two halves: a rotation would show
    return image


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = MARK.decode()  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 2.5), "W", (0.0, 7.0, 28.6)
    return exif.tobytes()


def srgb_icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return bytes(profile.tobytes())


def saved(fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    picture().save(out, fmt, **params)
    return out.getvalue()


def jpeg_with_segment(marker: int, payload: bytes) -> bytes:
    """A JPEG with one more APPn/COM segment right after SOI (Pillow can't write IPTC itself)."""
    data = saved("JPEG")
    return data[:2] + struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload + data[2:]


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARK.decode())  # tEXt
    info.add_text("Description", MARK.decode(), zip=True)  # zTXt
    info.add_itxt("Author", MARK.decode(), lang="en", tkey="Author")  # iTXt
    return saved("PNG", pnginfo=info)


IPTC = (
    b"Photoshop 3.0\x008BIM\x04\x04\x00\x00"
    + struct.pack(">I", len(MARK) + 5)
    + b"\x1c\x02\x78"
    + struct.pack(">H", len(MARK))
    + MARK
    + b"\x00"
)

SAMPLES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "jpeg-comment": ("photo.jpg", lambda: saved("JPEG", comment=MARK)),
    "jpeg-exif-gps": ("photo.jpg", lambda: saved("JPEG", exif=gps_exif())),
    "jpeg-xmp": ("photo.jpg", lambda: saved("JPEG", xmp=b"<x:xmpmeta>" + MARK + b"</x:xmpmeta>")),
    "jpeg-iptc": ("photo.jpg", lambda: jpeg_with_segment(0xED, IPTC)),
    "jpeg-icc": ("photo.jpg", lambda: saved("JPEG", icc_profile=srgb_icc())),
    "jpeg-after-eoi": ("photo.jpg", lambda: saved("JPEG") + MARK),
    "png-text-chunks": ("screen.png", png_with_text),
    "png-exif-gps": ("screen.png", lambda: saved("PNG", exif=gps_exif())),
    "png-icc": ("screen.png", lambda: saved("PNG", icc_profile=srgb_icc())),
    "png-after-iend": ("screen.png", lambda: saved("PNG") + MARK),
    "webp-exif-gps": ("photo.webp", lambda: saved("WEBP", exif=gps_exif())),
    "webp-xmp": ("photo.webp", lambda: saved("WEBP", xmp=b"<x:xmpmeta>" + MARK + b"</x:xmpmeta>")),
    "webp-icc": ("photo.webp", lambda: saved("WEBP", icc_profile=srgb_icc())),
    "webp-after-riff": ("photo.webp", lambda: saved("WEBP") + MARK),
}


def send_and_read_back(client: Client, case: Case, name: str, data: bytes) -> bytes:
    token = link_token(case=case)
    sent = client.post(
        f"/c/{token}/messages/",
        {"text": "Here it is.", "nonce": NONCE, "photos": [SimpleUploadedFile(name, data)]},
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    photo = InboundAttachment.objects.get()
    client.force_login(StaffFactory(username="agent1", teams=["care"]))
    seen = client.get(f"/console/cases/{case.reference}/files/{photo.pk}/")
    assert seen.status_code == 200
    return seen.content


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_nothing_but_pixels_survives_a_photo_sent_from_the_case_page(
    client: Client, new_case: Case, sample: str
) -> None:
    name, build = SAMPLES[sample]
    original = build()
    assert MARK in original or b"icc" in original.lower() or b"ICC_PROFILE" in original  # the sample carries it

    stored = send_and_read_back(client, new_case, name, original)

    assert MARK not in stored
    for segment in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"ICC_PROFILE", b"iCCP"):
        assert segment not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == Image.open(io.BytesIO(original)).format
        assert METADATA_KEYS & set(image.info) == set()
        assert not image.getexif()
        assert getattr(image, "text", {}) == {}  # PNG tEXt/iTXt/zTXt
        assert image.size == (40, 30)
        image.load()
        assert image.convert("RGB").getpixel((5, 5))[1] > 120  # the green half is where it was
    if sample.startswith("jpeg"):
        assert b"\xff\xfe" not in stored.split(b"\xff\xda", 1)[0]  # no COM segment before the scan
        assert stored.endswith(b"\xff\xd9")
    if sample.startswith("png"):
        assert stored.endswith(b"IEND\xaeB`\x82")
    if sample.startswith("webp"):
        assert len(stored) == struct.unpack("<I", stored[4:8])[0] + 8  # nothing after the RIFF chunk


def test_a_phone_photo_in_several_pictures_is_taken_as_its_first_picture_only(client: Client, new_case: Case) -> None:
    # Many phones write a JPEG holding more than one picture (MPO: a second view, a depth map).
    # It is a JPEG to the customer and to every browser, so it is taken, and only its first picture.
    hidden = Image.new("RGB", (40, 30), (0, 0, 250))
    out = io.BytesIO()
    picture().save(out, "MPO", save_all=True, append_images=[hidden], comment=MARK)

    stored = send_and_read_back(client, new_case, "IMG_0042.JPG", out.getvalue())

    assert b"MPF\x00" not in stored and MARK not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("JPEG", (40, 30), 1)
        assert image.convert("RGB").getpixel((30, 15))[0] > 150  # the red half of the first picture
    assert InboundAttachment.objects.get().content_type == "image/jpeg"


EMAIL_SECRET = "whsec-test-photos-0123456789"
EMAILED = ["jpeg-exif-gps", "jpeg-comment", "png-text-chunks", "webp-xmp"]


@pytest.mark.parametrize("sample", EMAILED)
def test_a_photo_that_comes_by_email_keeps_its_pixels_only(
    client: Client, new_case: Case, sample: str, settings: Any
) -> None:
    # given the customer emails a photo about their case (the mail provider's signed webhook)
    settings.TOUCHPOINT_INBOUND_WEBHOOK_SECRET = EMAIL_SECRET
    name, build = SAMPLES[sample]
    original = build()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[name.rsplit(".", 1)[1]]
    raw = mail(
        sender=f"{new_case.customer.name} <{new_case.customer.email}>",
        subject=f"Re: {new_case.reference} a photo",
        body="Here is the crack.\n",
        attachments=[(name, content_type, original)],
    )
    posted = webhook_post(raw, secret=EMAIL_SECRET)
    assert posted.status_code == 200, posted.content
    # when staff open it from the case
    photo = InboundAttachment.objects.get(message__case=new_case)
    client.force_login(StaffFactory(username="agent1", teams=["care"]))
    seen = client.get(f"/console/cases/{new_case.reference}/files/{photo.pk}/")
    assert seen.status_code == 200
    stored = seen.content
    # then what the phone hid is gone and the picture is the one sent
    assert MARK not in stored and b"Exif\x00\x00" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert METADATA_KEYS & set(image.info) == set()
        assert getattr(image, "text", {}) == {}
        assert image.size == (40, 30)
        assert image.convert("RGB").getpixel((5, 5))[1] > 120
    assert photo.size == len(stored)
