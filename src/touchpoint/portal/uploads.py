"""Photos a customer sends from a portal form (a message, a problem report): counted and sized before
anything is read, then each checked and re-encoded by :func:`touchpoint.inbox.photos.photo_clean`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from touchpoint.inbox.photos import Photo, PhotoRefused, photo_clean


def photos_read(files: list[UploadedFile[Any]]) -> tuple[list[Photo], list[str]]:
    """The photos, cleaned, and a sentence for each one refused (none kept when any is refused is
    the caller's choice: both forms keep nothing until all are fine)."""
    limit = settings.TOUCHPOINT_PHOTOS_PER_MESSAGE
    if len(files) > limit:
        return [], [f"You chose {len(files)} photos; up to {limit} fit in one message. Send the rest in another."]
    photos, errors = [], []
    for upload in files:
        name = upload.name or "photo"
        if (upload.size or 0) > settings.TOUCHPOINT_PHOTO_MAX_BYTES:  # don't even read an oversized file
            size_mb = (upload.size or 0) / (1024 * 1024)
            errors.append(
                f"“{name}” is {size_mb:.1f} MB; each photo can be up to "
                f"{settings.TOUCHPOINT_PHOTO_MAX_BYTES / (1024 * 1024):.1f} MB. "
                "Try a smaller size in your phone's share options, or a screenshot of it."
            )
            continue
        data = upload.read()
        try:
            photos.append(photo_clean(data=data, filename=name))
        except PhotoRefused as refused:
            errors.append(str(refused))
    return photos, errors
