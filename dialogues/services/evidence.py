"""The evidence brief of a dialogue: items and their attachments.

An attachment is accepted by what its bytes are, never by its name or the type the browser
claims: a PDF, a PNG, a JPEG, or plain UTF-8 text (CSV included) that is not markup; a PDF or
image that is also something else (a polyglot: a web page, an archive, a PDF with scripts or
embedded files) is refused. It is
stored under a random name outside the web root and served only by the permission-checked
download view, as an attachment with the type recorded here."""

import codecs
import re
import unicodedata
import zlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dialogues.models import EvidenceItem
from dialogues.services.attribution import refuse_if_names_withheld
from dialogues.services.design import lock_dialogue_for_change

# What filetype recognises by the first bytes, and the type we then serve the file with.
BINARY_TYPES = {"application/pdf", "image/png", "image/jpeg"}
TEXT_TYPE = "text/plain; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
CHUNK_BYTES = 64 * 1024
# Text a browser could render as a page if it ever sniffed it: HTML, SVG, XML.
MARKUP = re.compile(
    r"<\s*(?:!doctype|\?xml|html|head|body|script|svg|iframe|object|embed|meta|link|style)\b",
    re.IGNORECASE,
)
MAX_NAME_LENGTH = 200
# Markup a browser would run, should it ever read a PDF or an image as a page: such a file is
# a polyglot, valid as both. The XML declaration is not looked for here: PDF and image
# metadata (XMP) carries it legitimately.
BINARY_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style)\b",
    re.IGNORECASE,
)
# The end record of a ZIP archive (or JAR, DOCX ...), which readers look for from the end of
# the file, within its own length and that of its longest comment: a PDF or image ending in
# one also opens as an archive.
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_SEARCH_BYTES = 22 + 65535
# PDF features that run code, launch programs or carry other files.
PDF_ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z])")
# A PDF name may spell any character as #xx ("/J#61vaScript").
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# Compressed streams (where object streams hide dictionaries) are inflated to look inside, up
# to this much in all: a small file may not make the check itself exhaust memory.
PDF_INFLATE_BUDGET = 64 * 1024 * 1024


def _refuse(message):
    return ValidationError({"attachment": message})


def _text_type(upload, name):
    """TEXT_TYPE or CSV_TYPE when the whole upload is UTF-8 text without NUL bytes or markup,
    else None."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    upload.seek(0)
    # Markup is looked for across chunk borders: keep the tail of the previous chunk.
    tail = ""
    try:
        for chunk in upload.chunks(CHUNK_BYTES):
            text = decoder.decode(chunk)
            if "\x00" in text or MARKUP.search(tail + text):
                return None
            tail = text[-32:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return CSV_TYPE if name.lower().endswith(".csv") else TEXT_TYPE


def _pdf_names(data):
    return PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), data)


def _pdf_streams(data):
    """The inflated content of each Flate-compressed stream of a PDF, within
    PDF_INFLATE_BUDGET in all; streams that do not inflate are skipped."""
    budget = PDF_INFLATE_BUDGET
    for start in PDF_STREAM.finditer(data):
        end = data.find(b"endstream", start.end())
        if end < 0 or budget <= 0:
            return
        try:
            inflated = zlib.decompressobj().decompress(data[start.end() : end], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        yield inflated


def _is_polyglot(data, content_type):
    """Whether a PDF or image also holds something that runs or opens as something else:
    markup a browser would run, a ZIP archive at its end, or (PDF) scripts, launch actions or
    embedded files, looked for in the file and in its compressed streams."""
    if BINARY_MARKUP.search(data) or ZIP_END_RECORD in data[-ZIP_END_SEARCH_BYTES:]:
        return True
    if content_type != "application/pdf":
        return False
    if PDF_ACTIVE_CONTENT.search(_pdf_names(data)):
        return True
    return any(PDF_ACTIVE_CONTENT.search(_pdf_names(inflated)) for inflated in _pdf_streams(data))


def attachment_content_type(upload, name):
    """The content type to store for `upload`, judged by its content, or ValidationError
    (keyed "attachment") saying why it is refused: empty, too large, or not an allowed type."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise _refuse(_("The file is empty."))
    if upload.size > limit:
        raise _refuse(
            _("The file is %(size)s; attachments may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is not None:
        if kind.mime in BINARY_TYPES:
            # At most settings.EVIDENCE_MAX_BYTES, checked above.
            data = upload.read()
            upload.seek(0)
            if _is_polyglot(data, kind.mime):
                raise _refuse(
                    _(
                        "This file holds more than a plain PDF or image (a web page, a "
                        "script, an archive or an embedded file), so it is refused. Save it "
                        "again as a plain PDF or image, for example with “Print to PDF”, and "
                        "attach that."
                    )
                )
            return kind.mime
    else:
        content_type = _text_type(upload, name)
        upload.seek(0)
        if content_type:
            return content_type
    raise _refuse(
        _(
            "This file is not an allowed type. Attach a PDF, a PNG or JPEG image, or plain "
            "UTF-8 text or CSV."
        )
    )


def display_name(original):
    """A safe name to show and to offer on download: the last path component of what the
    browser sent, without control characters or anything a file system or header could
    misread, at most MAX_NAME_LENGTH characters, keeping the extension."""
    name = PurePath(str(original).replace("\\", "/")).name
    name = unicodedata.normalize("NFKC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] not in {"C", "Z"} or c == " ")
    name = re.sub(r"[^\w .()\-]", "_", name)
    name = " ".join(name.split()).lstrip(".")
    stem, dot, extension = name.rpartition(".")
    if not stem:
        stem, dot, extension = name, "", ""
    room = MAX_NAME_LENGTH - len(dot + extension)
    name = (stem[:room] + dot + extension) if room > 0 else name[:MAX_NAME_LENGTH]
    return name or "attachment"


def attachment_download_name(item, redact):
    """The file name to offer when `item`'s attachment is downloaded: its display name as
    `redact` (an attribution.Redactor for the reader) lets them see it, so a participant's
    name in a file name never reaches someone who may not see identities."""
    name = item.attachment_name or "attachment"
    if redact.hides_names:
        name = display_name(redact(name, _("name-withheld")))
    return name


def _store(item, upload):
    """Check `upload` and put it in the item's storage; the caller saves the item."""
    name = display_name(upload.name)
    content_type = attachment_content_type(upload, name)
    item.attachment.save(name, upload, save=False)
    item.attachment_name = name
    item.attachment_type = content_type
    item.attachment_size = upload.size


def _clear_attachment(item):
    item.attachment = ""
    item.attachment_name = ""
    item.attachment_type = ""
    item.attachment_size = None


def _delete_file_after_commit(storage, name):
    # After commit, so a rolled-back change still finds its file.
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _save_or_drop_new_file(item, new_file):
    """Save the item; if that fails, the file just stored is removed, not left orphaned."""
    try:
        with transaction.atomic():
            item.save()
    except Exception:
        if new_file:
            item.attachment.storage.delete(new_file)
        raise


@transaction.atomic
def evidence_add(*, dialogue, actor, attachment=None, **fields):
    """Add an item to the dialogue's evidence brief, with an optional uploaded `attachment`.
    Raises ValidationError for a closed or abandoned dialogue, invalid fields and an
    attachment that is empty, larger than settings.EVIDENCE_MAX_BYTES or not an allowed type
    by content. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(dialogue)
    item = EvidenceItem(dialogue=dialogue, **fields)
    item.full_clean(exclude=["attachment"])
    if attachment is not None:
        _store(item, attachment)
    _save_or_drop_new_file(item, item.attachment.name if attachment is not None else None)
    return item


@transaction.atomic
def evidence_update(*, item, actor, attachment=None, remove_attachment=False, **fields):
    """Change an item of the evidence brief. A new `attachment` replaces the old one; with
    `remove_attachment` the item keeps none. A replaced or removed file is deleted once the
    change is committed. Raises ValidationError like evidence_add, and when `actor` may not
    see identities and the stored title, source or summary names a participant (withheld from
    them, so not theirs to overwrite). Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(item.dialogue)
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    refuse_if_names_withheld(
        actor=actor,
        dialogue=dialogue,
        texts=[item.title, item.source, item.summary],
        message=_(
            "The title, source or summary of this item names a participant, which is "
            "withheld from you: only a team member who may see identities can change it."
        ),
    )
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean(exclude=["attachment"])
    old_file = item.attachment.name
    if attachment is not None:
        _store(item, attachment)
    elif remove_attachment:
        _clear_attachment(item)
    _save_or_drop_new_file(item, item.attachment.name if attachment is not None else None)
    if old_file != item.attachment.name:
        _delete_file_after_commit(item.attachment.storage, old_file)
    return item


@transaction.atomic
def evidence_remove(*, item, actor):
    """Delete an item of the evidence brief and, once that is committed, its attachment.
    Raises ValidationError for a closed or abandoned dialogue. Caller: someone with
    design_dialogues."""
    lock_dialogue_for_change(item.dialogue)
    storage, file_name = item.attachment.storage, item.attachment.name
    item.delete()
    _delete_file_after_commit(storage, file_name)
