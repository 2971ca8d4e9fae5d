"""Every PDF is drawn by WeasyPrint in a process of its own (clinic/printing.py:
`html_to_pdf`), so a web worker that prints never holds WeasyPrint's memory
(issue 17). The process's failures reach the caller as one clear error."""

import io
import sys
import textwrap

import pytest
from pypdf import PdfReader

from clinic import printing
from clinic.printing import PdfRenderingError, html_to_pdf

LETTER = "<h1>Plan of care</h1><p>Cervical strain, six visits over three weeks.</p>"


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_a_pdf_is_drawn_without_loading_weasyprint_in_the_caller(monkeypatch):
    # an import of WeasyPrint here would raise: only the PDF's own process may load it
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    pdf = html_to_pdf(LETTER)

    assert pdf.startswith(b"%PDF-")
    assert "Plan of care Cervical strain, six visits over three weeks." in text_of(pdf)


def test_inline_drawing_gives_the_same_words(settings):
    drawn_apart = html_to_pdf(LETTER)
    settings.PDF_RENDERING = "inline"

    assert text_of(html_to_pdf(LETTER)) == text_of(drawn_apart)


def test_words_beyond_ascii_cross_the_pipe_intact():
    pdf = html_to_pdf("<p>Zoë Müller — 5 × 15 min, déjà vu</p>")

    assert "Zoë Müller — 5 × 15 min, déjà vu" in text_of(pdf)


@pytest.fixture
def broken_process(tmp_path, monkeypatch):
    def install(source: str):
        script = tmp_path / "pdf_process.py"
        script.write_text(textwrap.dedent(source))
        monkeypatch.setattr(printing, "PDF_PROCESS", script)

    return install


def test_a_failed_drawing_names_the_process_last_words(broken_process):
    broken_process(
        """
        import sys
        sys.stderr.write("Pango: no fonts found\\n")
        sys.exit(3)
        """
    )

    with pytest.raises(PdfRenderingError, match="ended with 3: Pango: no fonts found"):
        html_to_pdf(LETTER)


def test_output_that_is_not_a_pdf_is_refused(broken_process):
    broken_process("print('hello')")

    with pytest.raises(PdfRenderingError, match="ended with 0: no output"):
        html_to_pdf(LETTER)


def test_a_drawing_that_hangs_is_stopped_at_the_timeout(broken_process, settings):
    settings.PDF_RENDERING_TIMEOUT = 1
    broken_process("import sys; sys.stdin.read(); import time; time.sleep(60)")

    with pytest.raises(PdfRenderingError, match="longer than 1 s"):
        html_to_pdf(LETTER)
