"""Helpers for tests that run the service against the local Etsy double."""
from __future__ import annotations

import dataclasses

REDIRECT_URI = "http://127.0.0.1:9/api/etsy/oauth/callback"


def settings_for(settings, double):
    """Settings pointing every Etsy URL at the double."""
    return dataclasses.replace(settings, etsy_api_key=double.api_key, etsy_client_secret=double.shared_secret,
                               etsy_api_base_url=double.base_url, etsy_authorize_url=double.authorize_url,
                               etsy_token_url=double.token_url, etsy_redirect_uri=REDIRECT_URI, etsy_timeout=5.0)
