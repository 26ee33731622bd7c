"""The print layout of non-papers and aide-mémoires: A4 pages that carry their classification,
programme and page numbers; Latin, Arabic and Burmese that stay inside the page; and a
renderer that loads nothing but Parley's own stylesheet, whatever the text says."""

import ast
import copy
import datetime
import io
import logging
import os
import re
import threading
import time
import unicodedata
from dataclasses import FrozenInstanceError
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from weasyprint.formatting_structure.boxes import LineBox, TextBox

from uptake import print_layout
from uptake.pdf import render_html, render_pdf
from uptake.print_layout import (
    STATIC_SCHEME,
    STYLESHEET_URL,
    STYLESHEETS,
    UnsafeResourceError,
    lay_out,
    parsed_stylesheets,
    safe_url_fetcher,
)
from uptake.render_processes import PdfRenderFailed, RenderedPdf, html_to_pdf

ZWSP = "\u200b"
A4_WIDTH_PX = 210 / 25.4 * 96
A4_HEIGHT_PX = 297 / 25.4 * 96
TOLERANCE_PX = 1

# About 150 words, as a typical non-paper's problem statement runs.
PROBLEM = (
    "Since the ceasefire of March, monitoring along the northern corridor has stalled. "
    "Neither delegation accepts the reports of the joint verification committee: one side "
    "says the committee relies on the other's liaison officers, the other says incidents "
    "are recorded weeks late and without photographs. Both describe the committee as "
    "useful in principle and say they would return to it if its working methods changed.\n"
    "Meanwhile local commanders settle incidents by telephone, which works while the same "
    "people stay in post but leaves no record. Traders on the corridor report three "
    "closures of the Kyauk crossing since June, each lasting several days, and the "
    "humanitarian agencies have suspended two convoys. The participants see a narrow window "
    "before the dry season, when movement increases, to agree on verification that both "
    "sides can trust and that does not depend on any single person. This paper sets out "
    "five steps towards that aim."
)
BURMESE = "ပြည်သူလူထုအကြားယုံကြည်မှုတည်ဆောက်ရန်အတွက်နှစ်ဖက်ကိုယ်စားလှယ်များသည်လွတ်လပ်သောစောင့်ကြည့်ရေးအဖွဲ့တစ်ခုကိုသဘောတူညီကြသည်"
ARABIC = (
    "يتفق الطرفان على تشكيل لجنة مستقلة للتحقق من وقف إطلاق النار وتقديم تقارير شهرية إلى الوسطاء"
)


def non_paper_context(**overrides):
    steps = [
        {
            "number": number,
            "text": text,
            "who": "Both delegations, with the facilitator",
            "when": when,
            "how": "A written terms of reference agreed at the next round.",
            "ladder_label": ladder_label,
        }
        for number, (text, when, ladder_label) in enumerate(
            [
                ("Reconvene the verification committee with a rotating chair.", "June", "30 days"),
                ("Add two observers nominated by the facilitator.", "July", "30 days"),
                ("Record every incident within 48 hours, with photographs.", "July", "60 days"),
                ("Publish a monthly summary to both delegations.", "August", "90 days"),
                ("Review the arrangement after three months.", "October", ""),
            ],
            start=1,
        )
    ]
    context = {
        "kind": "non_paper",
        "title": "Restoring trust in ceasefire verification",
        "programme_name": "Northern Corridor Dialogue Programme",
        "dialogue_title": "Verification working group",
        "date": datetime.date(2026, 11, 20),
        "version": 2,
        "revision": 5,
        "status_label": "Ready for delivery",
        "classification": "Non-paper · not for attribution",
        "language_code": "en",
        "problem": PROBLEM,
        "steps": steps,
        "ladder": [
            {"label": "Within 30 days", "steps": ["Step 1: Reconvene", "Step 2: Observers"]},
            {"label": "Within 60 days", "steps": [3]},
            {"label": "Within 90 days", "steps": [{"number": 4, "text": "Monthly summary"}]},
        ],
        "legal_notes": "No new obligations arise; the March agreement remains the reference.",
        "operational_notes": "Meetings at a neutral venue, with Arabic–English interpretation.",
    }
    context.update(overrides)
    return context


def aide_memoire_context(**overrides):
    context = non_paper_context(
        kind="aide_memoire",
        title="Points raised at the second round",
        classification="Confidential",
        reader_name="Amal Haddad",
        sections=[
            {"title": "Context", "body": PROBLEM},
            {"title": "Points agreed", "body": "Both delegations will name liaison officers."},
        ],
    )
    context.update(overrides)
    return context


def page_texts(pdf_bytes):
    """Each page's text, without the break opportunities and with Arabic presentation forms
    folded back to letters."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return [
        unicodedata.normalize("NFKC", page.extract_text().replace(ZWSP, ""))
        for page in reader.pages
    ]


def base_fonts(pdf_bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            # Subset fonts are named "ABCDEF+Noto-Sans-Myanmar"; compare without the prefix.
            names.add(str(font.get_object()["/BaseFont"]).partition("+")[2].replace("-", ""))
    return names


def boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from boxes(child)


def overflowing_lines(document):
    """(page number, text) of every line or text box that leaves its page's content area."""
    overflows = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left = page_box.content_box_x() - TOLERANCE_PX
        right = page_box.content_box_x() + page_box.width + TOLERANCE_PX
        for box in boxes(page_box):
            if isinstance(box, LineBox | TextBox) and (
                box.position_x < left or box.position_x + box.width > right
            ):
                text = getattr(box, "text", "") or "".join(
                    getattr(child, "text", "") for child in box.children
                )
                overflows.append((number, text[:40]))
    return overflows


def box_with_tag(document, tag):
    for box in boxes(document.pages[0]._page_box):
        if getattr(box, "element_tag", None) == tag:
            return box
    raise AssertionError(f"no box for <{tag}>")


def box_with_class(document, class_name):
    for box in boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and class_name in (element.get("class") or "").split():
            return box
    raise AssertionError(f"no box with class {class_name}")


# --- Layout -------------------------------------------------------------------------------


def test_typical_non_paper_fits_on_two_a4_pages():
    rendered = render_pdf(non_paper_context())

    assert isinstance(rendered, RenderedPdf)
    assert rendered.content.startswith(b"%PDF-")
    assert 1 <= rendered.page_count <= 2
    reader = pypdf.PdfReader(io.BytesIO(rendered.content))
    assert len(reader.pages) == rendered.page_count
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    with pytest.raises(FrozenInstanceError):
        rendered.page_count = 1


def test_long_non_paper_runs_past_two_pages_and_counts_them():
    long_steps = [
        {
            "number": number,
            "text": f"Step {number} of a long plan. " + PROBLEM[:400],
            "who": "Both delegations",
            "when": "Before the dry season",
            "how": PROBLEM[:300],
            "ladder_label": "",
        }
        for number in range(1, 13)
    ]
    rendered = render_pdf(non_paper_context(problem="\n".join([PROBLEM] * 4), steps=long_steps))

    assert rendered.page_count > 2
    texts = page_texts(rendered.content)
    assert len(texts) == rendered.page_count
    last = rendered.page_count
    assert f"Page {last} of {last}" in texts[-1]


def test_every_page_carries_programme_classification_and_page_number():
    context = non_paper_context(problem="\n".join([PROBLEM] * 5))
    rendered = render_pdf(context)
    texts = page_texts(rendered.content)

    assert rendered.page_count >= 2
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {rendered.page_count}" in text
        assert "Northern Corridor Dialogue Programme" in text
        assert "Non-paper · not for attribution" in text
    assert "Restoring trust in ceasefire verification" in texts[0]
    assert "20 November 2026" in texts[0]
    # Ladder entries given as a step number print the step's text.
    text = " ".join(texts)
    assert "Step 3: Record every incident within 48 hours, with photographs." in text


def test_aide_memoire_names_its_reader_and_says_confidential_on_every_page():
    context = aide_memoire_context(
        sections=[{"title": f"Point {n}", "body": PROBLEM} for n in range(1, 9)]
    )
    rendered = render_pdf(context)
    texts = page_texts(rendered.content)

    assert rendered.page_count >= 2
    today = timezone.localdate().strftime("%-d %b %Y")
    for text in texts:
        assert f"Prepared for Amal Haddad · {today}" in text
        assert "CONFIDENTIAL" in text


def test_reader_name_is_escaped_in_the_footer():
    html = render_html(aide_memoire_context(reader_name="Amal <b>Haddad</b>"))

    assert "Prepared for Amal &lt;b&gt;Haddad&lt;/b&gt;" in html


def test_rendering_leaves_the_callers_dict_untouched():
    context = non_paper_context(problem=BURMESE + "\n" + ARABIC)
    before = copy.deepcopy(context)

    render_pdf(context)

    assert context == before


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown document kind"):
        render_pdf(non_paper_context(kind="press_release"))


def test_typical_non_paper_renders_in_well_under_two_seconds():
    context = non_paper_context()
    render_pdf(context)  # warm-up: fonts, stylesheet parsing and template loading

    started = time.perf_counter()
    rendered = render_pdf(context)
    elapsed = time.perf_counter() - started

    assert rendered.page_count <= 2
    assert elapsed < 2.0, f"rendering took {elapsed:.2f} s"


def test_a_stylesheet_is_parsed_once_a_process_and_again_when_the_file_changes(
    settings, tmp_path, monkeypatch
):
    sheet = tmp_path / "print-test" / "sheet.css"
    sheet.parent.mkdir()
    sheet.write_text("p { color: rgb(255, 0, 0) }")
    settings.STATICFILES_DIRS = [tmp_path]
    url = f"{STATIC_SCHEME}:print-test/sheet.css"
    parsed = []
    real_css = print_layout.CSS

    def counting_css(**kwargs):
        parsed.append(kwargs["url"])
        return real_css(**kwargs)

    monkeypatch.setattr(print_layout, "CSS", counting_css)

    first = parsed_stylesheets([url])
    again = parsed_stylesheets([url])
    document = lay_out("<p>Text</p>", [url])

    assert parsed == [url]
    assert again[0] is first[0]
    assert tuple(box_with_tag(document, "p").style["color"])[:3] == (1, 0, 0)

    sheet.write_text("p { color: rgb(0, 0, 255) }")
    modified = sheet.stat().st_mtime_ns + 1_000_000_000
    os.utime(sheet, ns=(modified, modified))
    document = lay_out("<p>Text</p>", [url])

    assert parsed == [url, url]
    assert tuple(box_with_tag(document, "p").style["color"])[:3] == (0, 0, 1)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/print.css", "file:///etc/passwd", f"{STATIC_SCHEME}:uptake/missing.css"],
)
def test_only_our_own_static_files_can_be_given_as_stylesheets(url):
    with pytest.raises(UnsafeResourceError):
        parsed_stylesheets([url])


def test_a_missing_print_stylesheet_is_a_failed_render_not_an_error(settings):
    with pytest.raises(PdfRenderFailed):
        html_to_pdf("<p>Text</p>", [f"{STATIC_SCHEME}:uptake/css/missing.css"])


def test_pdf_modules_import_no_models():
    # The print path works on plain dicts; importing models would couple it to the database
    # (and a render process never touches the database).
    modules = ("pdf", "print_context", "print_layout", "render_processes", "myanmar")
    for module in (f"uptake/{name}.py" for name in modules):
        tree = ast.parse((Path(__file__).parents[2] / module).read_text())
        imported = [
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        ]
        assert not [name for name in imported if name and "models" in name], module


# --- Scripts and direction ----------------------------------------------------------------


def test_paragraph_direction_follows_its_first_strong_character():
    html = render_html(non_paper_context(problem=f"English first.\n{ARABIC}\n2026 – 2027"))

    assert '<html lang="en" dir="ltr">' in html
    assert '<p dir="ltr">English first.</p>' in html
    assert f'<p dir="rtl">{ARABIC}</p>' in html
    # No strong character: the document's own direction.
    assert '<p dir="ltr">2026 – 2027</p>' in html


def test_arabic_document_is_right_to_left():
    html = render_html(non_paper_context(language_code="ar", problem="Latin paragraph"))

    assert '<html lang="ar" dir="rtl">' in html
    assert '<p dir="ltr">Latin paragraph</p>' in html


def test_burmese_gets_break_opportunities_and_latin_and_arabic_do_not():
    html = render_html(non_paper_context(problem=f"{BURMESE}\n{ARABIC}"))

    assert "ပြည်" + ZWSP + "သူ" + ZWSP + "လူ" in html
    assert f'<p dir="rtl">{ARABIC}</p>' in html
    assert "<title>Restoring trust in ceasefire verification</title>" in html


def test_burmese_and_arabic_render_in_noto_fonts_and_stay_inside_the_page():
    long_burmese = BURMESE * 6  # over 600 characters without a space
    assert len(long_burmese) > 600 and " " not in long_burmese
    context = aide_memoire_context(
        sections=[{"title": "ပြည်သူ", "body": long_burmese + "\n" + ARABIC}]
    )

    rendered = render_pdf(context)
    document = lay_out(render_html(context), STYLESHEETS)

    text = "".join(page_texts(rendered.content))
    for word in ARABIC.split():
        assert word in text
    # PDF text extraction of Burmese is lossy where glyphs are reordered or shared (the vowel
    # ေ is drawn before its consonant), so check words whose glyphs map one to one.
    for word in ["ပြည်သူ", "လူထု", "အကြား", "အဖွဲ့", "တစ်ခု", "သဘောတူညီ"]:
        assert word in text
    fonts = base_fonts(rendered.content)
    assert "NotoSansMyanmar" in fonts
    assert fonts & {"NotoSansArabic", "NotoNaskhArabic", "NotoKufiArabic"}
    assert overflowing_lines(document) == []


def test_without_syllable_breaks_the_same_burmese_runs_off_the_page():
    context = aide_memoire_context(sections=[{"title": "ပြည်သူ", "body": BURMESE * 6}])

    document = lay_out(render_html(context, syllable_breaks=False), STYLESHEETS)

    overflows = overflowing_lines(document)
    assert overflows
    assert any(text.startswith("ပြည်သူ") for _, text in overflows)


# --- What the renderer may load -----------------------------------------------------------


class Canary:
    """A loopback HTTP server that records every request: the renderer must make none."""

    def __init__(self):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { background: red }")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    with Canary() as server:
        yield server


def test_markup_typed_into_a_document_is_printed_not_fetched(canary):
    injected = f'<img src="{canary.url}/canary"><link rel="stylesheet" href="{canary.url}/x.css">'
    context = non_paper_context(problem=injected)
    context["steps"][0]["text"] = f'<img src="{canary.url}/step">'

    html = render_html(context)
    rendered = render_pdf(context)

    assert f"&lt;img src=&quot;{canary.url}/canary&quot;&gt;" in html
    assert "<img" not in html
    text = re.sub(r"\s+", "", "".join(page_texts(rendered.content)))
    assert f'<imgsrc="{canary.url}/canary">' in text
    assert canary.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "{canary}/canary",
        "{canary}/redirect",
        "http://localhost:{port}/canary",
        "http://[::1]:{port}/canary",
        "https://example.org/x.css",
        "ftp://127.0.0.1:{port}/x.css",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        # Even our own stylesheet is not served by path: only through the finders.
        "file://{static_dir}/uptake/css/pdf.css",
        "data:text/css,body{{background:red}}",
        "/static/../../etc/passwd",
        "uptake/css/pdf.css",
        "parley-static:../../etc/passwd",
        "parley-static:uptake/css/../../../../etc/passwd",
        "parley-static:/etc/passwd",
        "parley-static://127.0.0.1:{port}/uptake/css/pdf.css",
        "parley-static:uptake%2F..%2F..%2F..%2Fetc%2Fpasswd.css",
        "parley-static:uptake/css/pdf.css?x=1",
        "parley-static:uptake/css/missing.css",
        "parley-static:parley/js/htmx-feedback.js",
    ],
)
def test_fetcher_refuses_everything_but_our_static_files(canary, url, settings):
    url = url.format(canary=canary.url, port=canary.port, static_dir=settings.STATICFILES_DIRS[0])

    with pytest.raises(UnsafeResourceError):
        safe_url_fetcher(url)

    assert canary.requests == []


def test_refusals_are_logged_without_the_path_or_query(canary, caplog):
    # A Celery test worker earlier in the run may have left the root logger at ERROR.
    caplog.set_level(logging.WARNING, logger="uptake.print_layout")
    with pytest.raises(UnsafeResourceError):
        safe_url_fetcher(f"{canary.url}/Amal-Haddad/leak?note=ceasefire")

    warnings = [
        r for r in caplog.records if r.name == "uptake.print_layout" and r.levelname == "WARNING"
    ]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert canary.url in message
    assert "Amal" not in message and "ceasefire" not in message and "leak" not in message


def test_html_that_reaches_for_other_resources_renders_without_them(canary, caplog):
    caplog.set_level(logging.WARNING, logger="uptake.print_layout")
    html = f"""<!DOCTYPE html>
    <html><head>
      <link rel="stylesheet" href="{canary.url}/x.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <style>
        @import url("{canary.url}/imported.css");
        @font-face {{ font-family: Leaky; src: url("{canary.url}/font.woff2"); }}
        body {{ background: url("{canary.url}/background.png"); font-family: Leaky; }}
      </style>
    </head><body>
      <img src="file:///etc/passwd" alt="">
      <img src="{canary.url}/image.png" alt="">
      <object data="file:///etc/passwd"></object>
      <p>Only this text.</p>
    </body></html>"""

    document = lay_out(html)
    pdf = document.write_pdf()

    assert canary.requests == []
    text = "".join(page_texts(pdf))
    assert "Only this text." in text
    assert "root:" not in text
    refused = [r for r in caplog.records if r.name == "uptake.print_layout"]
    assert len(refused) >= 5


def test_fetcher_serves_our_print_stylesheet_and_the_pdf_uses_it():
    response = safe_url_fetcher(STYLESHEET_URL)
    try:
        assert response.content_type == "text/css"
        assert response.read() == Path(finders.find("uptake/css/pdf.css")).read_bytes()
    finally:
        response.close()

    context = non_paper_context()
    document = lay_out(render_html(context), STYLESHEETS)

    page = document.pages[0]
    assert page.width == pytest.approx(A4_WIDTH_PX)
    assert page.height == pytest.approx(A4_HEIGHT_PX)
    # 18 mm side margins come from pdf.css; WeasyPrint's own default is 75 px (about 20 mm).
    assert page._page_box.margin_left == pytest.approx(18 / 25.4 * 96)
    banner = box_with_class(document, "classification-banner")
    assert tuple(banner.style["background_color"]) == pytest.approx(
        (0x1F / 255, 0x3A / 255, 0x5F / 255, 1)
    )
    assert "Page 1 of" in page_texts(document.write_pdf())[0]
