"""PDFs need the system's Pango, HarfBuzz and fontconfig: a machine without them
fails at start-up in one line naming what to install, not at the first
superbill. The check opens the libraries; it never imports WeasyPrint."""

import ctypes.util
import sys

import pytest
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
