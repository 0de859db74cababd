"""What may be attached to a complaint: checked by size, by extension and by the file's own
first bytes, so a renamed executable is not accepted as a photo."""

from __future__ import annotations

import io
import uuid
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls
ZIP = b"PK\x03\x04"  # .docx/.xlsx

# extension → (content type, accepted leading bytes; None = text)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".txt": ("text/plain", None),
}


def check_upload(upload: UploadedFile) -> str:
    """Return the content type to serve the file with, or raise ValidationError saying why not."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("“%(name)s”: file type not allowed (allowed: %(types)s).")
            % {"name": name, "types": " ".join(sorted(ALLOWED))}
        )
    limit = settings.KESU_ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)}
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures is None:
        if b"\x00" in head:
            raise ValidationError(_("“%(name)s” is not a text file.") % {"name": name})
    elif not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(_("“%(name)s” does not contain what its name says.") % {"name": name})
    return content_type


def storage_name(original: str) -> str:
    """A random name on disk: the original name is kept in the database only."""
    return f"{uuid.uuid4().hex}{PurePath(original).suffix.lower()}"


# A photo's preview on the complaint page: at most this many pixels on its longer side.
THUMBNAIL_SIZE = 240
# Larger photos are not previewed (decoding one would take the worker's memory for a moment).
THUMBNAIL_MAX_PIXELS = 50_000_000


PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def is_photo(content_type: str) -> bool:
    return content_type in PHOTO_TYPES


def thumbnail(handle: BinaryIO) -> bytes | None:
    """A small JPEG preview of a photo, or None when the file is not a picture Pillow can read
    (or is too large to decode: a decompression bomb is refused, never decoded)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(handle) as image:
            if image.width * image.height > THUMBNAIL_MAX_PIXELS:
                return None
            image = ImageOps.exif_transpose(image)  # a phone's photo the right way up
            image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        return None
