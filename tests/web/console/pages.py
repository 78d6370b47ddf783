"""Helpers for console tests over Flask's test client: sign in through the form, read the CSRF token."""
from __future__ import annotations

import re

from tests import helpers

_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf(client, path: str = "/console/sign-in") -> str:
    """The CSRF token a page of the console carries for this browser."""
    page = client.get(path)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def sign_in(client, email: str, password: str = helpers.PASSWORD):
    """Sign in through the form, as a browser does; answers the response (a redirect on success)."""
    return client.post("/console/sign-in", data={"email": email, "password": password,
                                                 "csrf_token": csrf(client)})
