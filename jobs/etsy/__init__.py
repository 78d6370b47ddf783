"""Etsy Open API v3: the HTTP client, OAuth 2.0 helpers and the request budget shared by every worker."""
