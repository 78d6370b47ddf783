"""Etsy Open API v3 client: typed operations, pagination, retries within the shared budget, domain errors."""
from __future__ import annotations

import logging
import mimetypes
import random
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import requests

import config
from etsy import metrics, operations, ratelimit

log = logging.getLogger(__name__)

Json = dict[str, Any]
PAGE = 100  # the spec's maximum `limit`
RATE_HEADERS = ("x-limit-per-second", "x-remaining-this-second", "x-limit-per-day", "x-remaining-today", "retry-after")


class EtsyError(Exception):
    """An Etsy call failed; `status` is the HTTP status (None without a response), `error` Etsy's error text,
    `operation` the spec's operationId of the call (None when no call was made)."""

    def __init__(self, message: str, status: int | None = None, error: str | None = None,
                 operation: str | None = None):
        super().__init__(message)
        self.status = status
        self.error = error
        self.operation = operation


class EtsyAuthError(EtsyError):
    """The access or refresh token is expired, invalid or revoked (401, or invalid_grant at the token endpoint)."""


class EtsyForbidden(EtsyError):
    """403: the token lacks a scope, the shop is not the token owner's, or the API key is refused."""


class EtsyNotFound(EtsyError):
    """404."""


class EtsyBadRequest(EtsyError):
    """A 4xx other than 401/403/404/429: Etsy refused the request as made."""


class EtsyRateLimited(EtsyError):
    """The budget is spent (429 beyond the retries, or the per-day budget); `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: float, status: int | None = 429, operation: str | None = None):
        super().__init__(message, status, operation=operation)
        self.retry_after = retry_after


class EtsyUnavailable(EtsyError):
    """5xx, timeouts or connection failures persisted through the bounded retries."""


class EtsyClient:
    """One shop's view of the Etsy API. Not shared between threads (a requests.Session is not thread-safe)."""

    def __init__(self, *, api_key: str, client_secret: str, token: Callable[[], str], budget: ratelimit.Budget,
                 base_url: str = "https://openapi.etsy.com", timeout: float = 20.0,
                 on_rate_headers: Callable[[dict[str, str]], None] | None = None, max_attempts: int = 5,
                 backoff_base: float = 1.0, backoff_cap: float = 30.0, http: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self._api_key_header = f"{api_key}:{client_secret}"
        self._token = token
        self.budget = budget
        self.base_url = base_url.rstrip("/") + "/v3/application"
        self.timeout = timeout
        self.on_rate_headers = on_rate_headers
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._http = http or requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        # Never show the key header or token: reprs end up in logs and tracebacks.
        return f"EtsyClient(base_url={self.base_url!r})"

    @classmethod
    def from_settings(cls, token: Callable[[], str], settings: config.Settings | None = None,
                      budget: ratelimit.Budget | None = None, **kwargs: Any) -> EtsyClient:
        """A client configured from Settings, drawing from the deployment's shared budget."""
        settings = settings or config.get_settings()
        if not settings.etsy_api_key or not settings.etsy_client_secret:
            raise EtsyError("ETSY_API_KEY and ETSY_CLIENT_SECRET must be set to call Etsy")
        return cls(api_key=settings.etsy_api_key, client_secret=settings.etsy_client_secret, token=token,
                   budget=budget or ratelimit.open_budget(settings), base_url=settings.etsy_api_base_url,
                   timeout=settings.etsy_timeout, **kwargs)

    # --- operations -------------------------------------------------------------------------------------------

    def get_me(self) -> Json:
        """getMe: {user_id, shop_id} of the token's owner."""
        return self._json("GET", "/users/me")

    def get_shop(self, shop_id: int) -> Json:
        """getShop."""
        return self._json("GET", f"/shops/{int(shop_id)}")

    def get_shop_receipts(self, shop_id: int, *, limit: int = 25, offset: int = 0, min_created: int | None = None,
                          max_created: int | None = None, min_last_modified: int | None = None,
                          max_last_modified: int | None = None, sort_on: str | None = None,
                          sort_order: str | None = None, was_paid: bool | None = None,
                          was_shipped: bool | None = None, was_delivered: bool | None = None,
                          was_canceled: bool | None = None) -> Json:
        """getShopReceipts: one page {count, results}; receipts embed their transactions."""
        params = _params(limit=limit, offset=offset, min_created=min_created, max_created=max_created,
                         min_last_modified=min_last_modified, max_last_modified=max_last_modified, sort_on=sort_on,
                         sort_order=sort_order, was_paid=was_paid, was_shipped=was_shipped,
                         was_delivered=was_delivered, was_canceled=was_canceled)
        return self._json("GET", f"/shops/{int(shop_id)}/receipts", params=params)

    def iter_receipts(self, shop_id: int, min_last_modified: int | None = None, **filters: Any) -> Iterator[Json]:
        """Every receipt matching the filters, 100 per call, oldest first."""
        # Oldest-created first: new orders append at the end and updates do not reorder, so offset paging neither
        # skips nor repeats while Etsy changes underneath; the seen-set drops the rare repeat anyway.
        filters.setdefault("sort_on", "created")
        filters.setdefault("sort_order", "asc")
        def fetch(offset: int) -> Json:
            return self.get_shop_receipts(shop_id, limit=PAGE, offset=offset, min_last_modified=min_last_modified,
                                          **filters)
        yield from _pages(fetch, "receipt_id")

    def get_shop_receipt(self, shop_id: int, receipt_id: int) -> Json:
        """getShopReceipt."""
        return self._json("GET", f"/shops/{int(shop_id)}/receipts/{int(receipt_id)}")

    def get_listings_by_shop(self, shop_id: int, *, state: str = "active", limit: int = 25, offset: int = 0,
                             sort_on: str | None = None, sort_order: str | None = None,
                             includes: list[str] | None = None) -> Json:
        """getListingsByShop: one page {count, results}."""
        params = _params(state=state, limit=limit, offset=offset, sort_on=sort_on, sort_order=sort_order,
                         includes=includes)
        return self._json("GET", f"/shops/{int(shop_id)}/listings", params=params)

    def iter_listings(self, shop_id: int, state: str = "active", includes: list[str] | None = None) -> Iterator[Json]:
        """Every listing of the shop in `state`, 100 per call, oldest first."""
        def fetch(offset: int) -> Json:
            return self.get_listings_by_shop(shop_id, state=state, limit=PAGE, offset=offset, sort_on="created",
                                             sort_order="asc", includes=includes)
        yield from _pages(fetch, "listing_id")

    def get_listing(self, listing_id: int, includes: list[str] | None = None) -> Json:
        """getListing."""
        return self._json("GET", f"/listings/{int(listing_id)}", params=_params(includes=includes))

    def get_listing_images(self, listing_id: int) -> list[Json]:
        """getListingImages: the images, by rank."""
        return self._json("GET", f"/listings/{int(listing_id)}/images")["results"]

    def upload_listing_image(self, shop_id: int, listing_id: int, image: bytes | BinaryIO | Path, *,
                             filename: str = "image.jpg", rank: int = 1, overwrite: bool = False,
                             is_watermarked: bool = False, alt_text: str = "") -> Json:
        """uploadListingImage (multipart): the new ListingImage."""
        if isinstance(image, Path):
            image = image.read_bytes()
        elif not isinstance(image, bytes):
            image = image.read()  # bytes, so a retried attempt sends the whole file again
        data = _params(rank=rank, overwrite=overwrite, is_watermarked=is_watermarked, alt_text=alt_text)
        files = {"image": (filename, image, mimetypes.guess_type(filename)[0] or "application/octet-stream")}
        return self._json("POST", f"/shops/{int(shop_id)}/listings/{int(listing_id)}/images", data=data,
                          files=files, idempotent=False)

    def delete_listing_image(self, shop_id: int, listing_id: int, listing_image_id: int) -> None:
        """deleteListingImage."""
        self._request("DELETE", f"/shops/{int(shop_id)}/listings/{int(listing_id)}/images/{int(listing_image_id)}")

    def create_draft_listing(self, shop_id: int, fields: Mapping[str, Any]) -> Json:
        """createDraftListing (form body): the new draft ShopListing. Never resent: it would create a second one."""
        return self._json("POST", f"/shops/{int(shop_id)}/listings", data=_params(**fields), idempotent=False)

    def update_listing_inventory(self, listing_id: int, inventory: Mapping[str, Any]) -> Json:
        """updateListingInventory (JSON body): the listing's products, offerings and prices, replaced as a whole."""
        return self._json("PUT", f"/listings/{int(listing_id)}/inventory", json=dict(inventory))

    def create_receipt_shipment(self, shop_id: int, receipt_id: int, *, carrier_name: str | None = None,
                                tracking_code: str | None = None, note_to_buyer: str | None = None,
                                send_bcc: bool | None = None) -> Json:
        """createReceiptShipment: the receipt, shipped. Never resent: the buyer would be notified twice."""
        data = _params(carrier_name=carrier_name, tracking_code=tracking_code, note_to_buyer=note_to_buyer,
                       send_bcc=send_bcc)
        return self._json("POST", f"/shops/{int(shop_id)}/receipts/{int(receipt_id)}/tracking", data=data,
                          idempotent=False)

    def get_shop_sections(self, shop_id: int) -> list[Json]:
        """getShopSections."""
        return self._json("GET", f"/shops/{int(shop_id)}/sections")["results"]

    def get_shop_shipping_profiles(self, shop_id: int) -> list[Json]:
        """getShopShippingProfiles."""
        return self._json("GET", f"/shops/{int(shop_id)}/shipping-profiles")["results"]

    def get_seller_taxonomy_nodes(self) -> list[Json]:
        """getSellerTaxonomyNodes: the root nodes, children nested."""
        return self._json("GET", "/seller-taxonomy/nodes")["results"]

    # --- transport --------------------------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> Json:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            operation = operations.name(method, path)
            raise EtsyUnavailable(f"{operation} {method} {path}: Etsy answered {response.status_code} without JSON",
                                  response.status_code, operation=operation) from None

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 data: Mapping[str, Any] | None = None, files: Mapping[str, Any] | None = None,
                 json: Mapping[str, Any] | None = None, idempotent: bool = True) -> requests.Response:
        """Send within the budget, retrying 429 (after retry-after), 5xx and timeouts a bounded number of times."""
        # Every call goes through here, so every operation is counted and named in its errors and log lines.
        operation = operations.name(method, path)
        call = f"{operation} {method} {path}"
        failure = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            try:
                self.budget.acquire()
            except ratelimit.BudgetExhausted as exc:
                metrics.rate_limited(operation, "budget")
                raise EtsyRateLimited(f"{call}: {exc}", exc.retry_after, None, operation=operation) from None
            headers = {"x-api-key": self._api_key_header, "Authorization": f"Bearer {self._token()}"}
            try:
                response = self._http.request(method, self.base_url + path, params=params, data=data, files=files,
                                              json=json, headers=headers, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                failure = type(exc).__name__
                metrics.request(operation, "timeout" if isinstance(exc, requests.Timeout) else "connection_error")
                # An upload that may have reached Etsy is not resent: it would add the image twice.
                if not idempotent and not isinstance(exc, requests.ConnectTimeout):
                    raise EtsyUnavailable(f"{call}: {failure}", operation=operation) from None
                self._backoff(attempt, call, failure)
                continue
            status = response.status_code
            metrics.request(operation, status)
            self._observe(response)
            if status == 429:
                metrics.rate_limited(operation, "etsy")
                retry_after = _retry_after(response)
                failure = f"429 (retry-after {retry_after:g}s)"
                self.budget.block_for(retry_after)  # the next acquire() sleeps until then, in every worker
                if attempt == self.max_attempts:
                    raise EtsyRateLimited(f"{call}: rate limited", retry_after, operation=operation)
                log.info("etsy %s: 429, retrying after %gs", call, retry_after)
                continue
            if status >= 500:
                failure = str(status)
                if not idempotent:
                    raise EtsyUnavailable(f"{call}: {failure}", status, operation=operation)
                self._backoff(attempt, call, failure)
                continue
            if status >= 400:
                raise _error_for(call, operation, response)
            return response
        raise EtsyUnavailable(f"{call}: gave up after {self.max_attempts} attempts (last: {failure})",
                              operation=operation)

    def _observe(self, response: requests.Response) -> None:
        rate = {name: response.headers[name] for name in RATE_HEADERS if name in response.headers}
        if rate:
            self.budget.observe(rate)
            if self.on_rate_headers is not None:
                self.on_rate_headers(rate)

    def _backoff(self, attempt: int, call: str, failure: str) -> None:
        if attempt == self.max_attempts:
            return
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
        log.warning("etsy %s: %s, retry %d in %.2fs", call, failure, attempt, delay)
        self._sleep(delay)


def _pages(fetch: Callable[[int], Json], key: str) -> Iterator[Json]:
    seen: set[int] = set()
    offset = 0
    while True:
        page = fetch(offset)
        results = page.get("results") or []
        for item in results:
            if item[key] not in seen:
                seen.add(item[key])
                yield item
        offset += len(results)
        if len(results) < PAGE or offset >= page.get("count", 0):
            return


def _params(**values: Any) -> dict[str, str]:
    """Query/form values as Etsy reads them: booleans lowercase, lists comma-joined, None left out."""
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "1")))
    except ValueError:
        return 1.0


def _error_for(call: str, operation: str, response: requests.Response) -> EtsyError:
    try:
        error = str(response.json().get("error"))
    except (ValueError, AttributeError):
        error = response.text[:200]
    status = response.status_code
    message = f"{call}: {status} {error}"
    kind = {401: EtsyAuthError, 403: EtsyForbidden, 404: EtsyNotFound}.get(status, EtsyBadRequest)
    return kind(message, status, error, operation=operation)
