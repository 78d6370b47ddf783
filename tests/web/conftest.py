"""Web tests share the app pointed at the local Etsy double."""
from __future__ import annotations

import pytest

from tests import etsy_flow


@pytest.fixture
def etsy_app(app, settings, double, monkeypatch):
    """The app with Etsy at the double (the connect flow and reference data reach it)."""
    monkeypatch.setitem(app.extensions, "esa_settings", etsy_flow.settings_for(settings, double))
    return app
