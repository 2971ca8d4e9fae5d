"""PDFs need the system's Pango, HarfBuzz and fontconfig: a machine without them
fails at start-up in one line naming what to install, not at the first
superbill. The check opens the libraries; it never imports WeasyPrint."""

import ctypes.util
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from billing.apps import check_pdf_libraries


def test_a_missing_system_library_stops_start_up_naming_the_packages(monkeypatch):
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if name == "harfbuzz" else real(name)
    )
    with pytest.raises(ImproperlyConfigured, match="libharfbuzz0b.*libharfbuzz not found"):
        check_pdf_libraries()


def test_the_check_passes_here_without_loading_weasyprint(monkeypatch):
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    check_pdf_libraries()
    assert "weasyprint" not in sys.modules


def test_a_library_that_cannot_be_opened_stops_start_up_too(monkeypatch):
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util,
        "find_library",
        lambda name: "/nonexistent/libpango-1.0.so.0" if name == "pango-1.0" else real(name),
    )
    with pytest.raises(ImproperlyConfigured, match="libpango-1.0-0.*OSError: /nonexistent"):
        check_pdf_libraries()


def test_the_web_process_itself_never_opens_them():
    # the check opens them in a throwaway process: a web worker keeps no Pango mapped
    # (asked of a fresh process: this one may have drawn a PDF inline in another test)
    probe = (
        "from billing.apps import check_pdf_libraries; check_pdf_libraries(); "
        "print('libpango' in open('/proc/self/maps').read())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert done.stdout.strip() == "False", done.stderr
