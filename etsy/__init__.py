"""Etsy Open API v3: HTTP client, OAuth 2.0 (PKCE), the shared request budget; spec/ holds Etsy's published OpenAPI."""
