"""A local Etsy Open API v3 that checks requests against the published spec and validates its own answers."""
from __future__ import annotations

import collections
import json
import re
import threading
import time
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.etsy_double import auth, contract, handlers, limits, spec, state, writes

TOKEN_PATH = "/v3/public/oauth/token"
CONNECT_PATH = "/oauth/connect"


def _routes() -> Map:
    rules = [Rule(re.sub(r"\{(\w+)\}", r"<\1>", op.path), endpoint=op.operation_id, methods=[op.method])
             for op in spec.operations().values()]
    return Map(rules + [Rule(TOKEN_PATH, endpoint="token", methods=["POST"]),
                        Rule(CONNECT_PATH, endpoint="connect", methods=["GET"])])


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: tests read `EtsyDouble.log` instead."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class EtsyDouble:
    """Etsy on 127.0.0.1:<free port>; `store`, `oauth`, `limiter`, `faults` and `log` are the test's knobs."""

    def __init__(self, *, api_key: str = "double-keystring", shared_secret: str = "double-shared-secret",
                 per_second: int = 10, per_day: int = 10_000, access_ttl: int = 3600):
        self.api_key = api_key
        self.shared_secret = shared_secret
        self.store = state.Store()
        self.oauth = auth.OAuthServer(api_key, access_ttl=access_ttl)
        self.limiter = limits.RateLimiter(per_second, per_day)
        self.faults = limits.Faults()
        self.log = limits.RequestLog()
        self.violations: list[str] = []  # answers that broke the spec; must stay empty
        self.validated: collections.Counter[str] = collections.Counter()  # spec-checked 2xx answers per operation
        self.checker = contract.Checker()
        self._routes = _routes()
        self._server = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> EtsyDouble:
        """Serve in a background thread."""
        self._server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=_QuietHandler)
        # A short poll interval: stop() waits up to one interval, and every test stops its double.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="etsy-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (slow answers in flight are cut short)."""
        self.faults.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> EtsyDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ETSY_API_BASE_URL would be."""
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def token_url(self) -> str:
        """What ETSY_TOKEN_URL would be."""
        return self.base_url + TOKEN_PATH

    @property
    def authorize_url(self) -> str:
        """What ETSY_AUTHORIZE_URL would be (the test-only page that approves at once)."""
        return self.base_url + CONNECT_PATH

    # --- conveniences -------------------------------------------------------------------------------------------

    def add_seller(self, **shop_fields: Any) -> dict[str, Any]:
        """A shop whose owner approves /oauth/connect from now on."""
        shop = self.store.add_shop(**shop_fields)
        self.oauth.approving_user_id = shop["user_id"]
        return shop

    def prevalidate(self) -> None:
        """Validate every stored receipt and listing now, so serving them later costs no schema check."""
        ops = spec.operations()
        with self.store.lock:
            receipts = [r for shop in self.store.receipts.values() for r in shop.values()]
            listings = list(self.store.listings.values())
        for op, items in ((ops["getShopReceipts"], receipts), (ops["getListingsByShop"], listings)):
            problem = self.checker.warm(op, items)
            if problem:
                self.violations.append(problem)
                raise AssertionError(problem)

    def issue_token(self, user_id: int, scopes: tuple[str, ...] = auth.ALL_SCOPES) -> dict[str, Any]:
        """A token pair without the browser dance."""
        return self.oauth.issue(user_id, scopes)

    # --- WSGI ---------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response) -> Any:
        request = Request(environ)
        arrived = time.monotonic()
        adapter = self._routes.bind_to_environ(environ)
        try:
            endpoint, path_args = adapter.match()
        except NotFound:
            return _json(404, {"error": "Resource not found"})(environ, start_response)
        except MethodNotAllowed:
            return _json(405, {"error": "Method not allowed"})(environ, start_response)
        if endpoint == "connect":
            return self.oauth.connect(request)(environ, start_response)
        if endpoint == "token":
            status, body = self.oauth.token(request)
            return _json(status, body, {"Cache-Control": "no-store"})(environ, start_response)
        status, body, headers = self._api(request, spec.operations()[endpoint], path_args, arrived)
        self.log.add(limits.Logged(arrived, request.method, request.path, request.args.to_dict(flat=False),
                                   status, endpoint))
        return _json(status, body, headers)(environ, start_response)

    def _api(self, request: Request, op: spec.Operation, path_args: dict[str, str],
             arrived: float) -> tuple[int, Any, dict[str, str]]:
        if request.headers.get("x-api-key") != f"{self.api_key}:{self.shared_secret}":
            # Etsy wants keystring:shared_secret; a bare keystring is refused too.
            return 403, {"error": "Invalid API key"}, {}
        allowed, headers = self.limiter.check(arrived)
        if not allowed:
            return 429, {"error": "Rate limit exceeded"}, headers
        status, body = self._answer(request, op, path_args)
        problem = self.checker.check(op, status, body)
        if problem:
            self.violations.append(problem)
            return 500, {"error": f"etsy double broke the spec: {problem}"}, headers
        if status < 300:
            self.validated[op.operation_id] += 1
        return status, body, headers

    def _answer(self, request: Request, op: spec.Operation, path_args: dict[str, str]) -> tuple[int, Any]:
        fault = self.faults.take()
        if fault and fault[0] == "status":
            return fault[1], {"error": "Injected failure"}
        if fault and fault[0] == "slow":
            self.faults.stopping.wait(fault[1])
        grant = None
        if op.scopes is not None:
            grant = self.oauth.bearer(request.headers.get("Authorization"))
            if isinstance(grant, str):
                return 401, {"error": grant}
            if not op.scopes <= grant.scopes:
                return 403, {"error": "insufficient_scope"}
        try:
            path = op.parse("path", {k: [v] for k, v in path_args.items()})
            query = op.parse("query", {k: request.args.getlist(k) for k in request.args})
        except spec.ParameterError as exc:
            return 400, {"error": str(exc)}
        handler = handlers.HANDLERS.get(op.operation_id) or writes.HANDLERS.get(op.operation_id)
        if handler is None:
            return 501, {"error": f"{op.operation_id} is not served by the etsy double"}
        with self.store.lock:
            status, body = handler(handlers.Call(self.store, path, query, grant, request))
            # Serialized under the lock so a concurrent change cannot tear the answer.
            return status, json.loads(json.dumps(body)) if body is not None else None


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status=status, headers=headers)
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")
