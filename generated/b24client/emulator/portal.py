"""The `Emulator`: one local portal tying protocol, auth, limits, faults, methods and HTTP.

Order of checks for a REST request, and why:

1. decode the URL and parameters (a malformed body is the client's bug, answered 400);
2. scripted or random faults (they stand for trouble in front of the portal, so they come
   before anything is counted or authenticated);
3. the leaky bucket (the portal counts every HTTP request, even unauthorised ones);
4. authentication (webhook code or OAuth access token);
5. the method: unknown → 404 ERROR_METHOD_NOT_FOUND; over its operating budget → 429;
   parameters validated against the spec; then the stateful handler or the spec's example.
"""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from . import idempotency, params_policy
from .apps import AppRegistry
from .auth import Identity, OAuthError, TokenStore, same_secret
from .batch import BatchError, CommandOutcome, run_batch
from .calls import Call, Handler, MethodError, Reply
from .command_faults import CommandFault, CommandFaults
from .config import EmulatorConfig
from .deals import DealMethods
from .delivery import Deliverer
from .entities import EntityMethods
from .events import EventHub
from .families import derive_families
from .faults import HTML_ERROR_PAGE, PROCESSED_KINDS, Canned, Faults, check_kind, truncate
from .idempotency import IdempotencyStore
from .introspection import Introspection
from .limits import LeakyBucket, OperatingMeter, OperatingState
from .lists import DealStore
from .payments import PaymentMethods
from .paysystems import PaySystemMethods
from .portalside import PortalSide
from .protocol import BodyError, RestTarget, decode_params, decode_query, parse_rest_path, time_block
from .records import RequestRecord, SubCall, Traffic, mask_params
from .seeding import load_seed_file
from .server import HttpRequest, HttpResponse, ServerThread
from .specbook import SpecBook
from .state import PaymentState
from .store import RecordStore

JSON = "application/json; charset=utf-8"
TOKEN_SECRET_KEYS = frozenset({"client_secret", "refresh_token", "code"})
# Bounds a stateful handler checks itself, answering with the page's own error (a quantity
# of 0 gets crm.item.payment.product.*'s code-0 reply, not the generic invalid-input one).
BOUND_RULES = frozenset({"minimum", "exclusive_minimum", "maximum"})


@dataclass
class Outcome:
    """The answer of one method call, before it is rendered for HTTP or for batch."""

    status: int
    result: Any = None
    code: str | None = None  # error code; None on success
    description: str = ""
    total: int | None = None
    next: int | None = None
    cost: float = 0.0
    operating: OperatingState | None = None
    started: float = field(default_factory=time.time)
    headers: dict[str, str] = field(default_factory=dict)  # extra HTTP headers (v3 idempotency)
    ignored: tuple[str, ...] = ()  # undocumented parameters the method dropped (params_policy)

    @property
    def ok(self) -> bool:
        return self.code is None


def wire_code(code: str) -> str:
    """Codes always travel as JSON strings (`"error": "0"`): _includes/error-info.md types
    `error` as a string, 85 pages print `"0"` (only the payment pages print a bare 0), and
    the official JS SDK drops the description of an error whose code is a number."""
    return str(code)


def error_body(code: str, description: str, api_version: int = 2) -> dict[str, Any]:
    if api_version == 3:
        return {"error": {"code": code, "message": description}}
    return {"error": wire_code(code), "error_description": description}


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Emulator(PortalSide):
    """A Bitrix24-compatible portal on 127.0.0.1; use as a context manager."""

    def __init__(self, config: EmulatorConfig | None = None, *, rate_clock: Callable[[], float] | None = None) -> None:
        """`rate_clock` drives the request bucket (monotonic seconds); tests that share one
        virtual clock between the portal and a client make limit behaviour deterministic."""
        self.config = config or EmulatorConfig()
        self._rate_clock = rate_clock or time.monotonic
        cfg = self.config
        self.specs = SpecBook()
        self.deals = DealStore(seed=cfg.seed, count=cfg.deals)
        self.payment_state = PaymentState(invoices_seeded=cfg.invoices)
        self.records = RecordStore()
        self.tokens = TokenStore(cfg.client_id, cfg.client_secret, cfg.webhook_user_id, cfg.token_ttl_seconds)
        self.member_id = secrets.token_hex(16)  # the portal's identifier in events and token answers
        self.apps = AppRegistry(self.tokens, cfg.client_id, cfg.client_secret)
        self.deliverer = Deliverer(cfg.delivery_timeout_seconds, cfg.delivery_queue_size)
        self.events = EventHub(self.apps, self.tokens, self.deliverer, self.address)
        self.faults = Faults(cfg.fault_plan())
        self.command_faults = CommandFaults()
        self.traffic = Traffic(cfg.max_log_records)
        self.idempotency = IdempotencyStore(idempotency.TTL_SECONDS / cfg.time_scale)
        self._new_limits()
        self._state_lock = threading.RLock()
        self._payments = PaymentMethods(self.payment_state, self.deals, lambda: self.base_url, self._changed)
        self._handlers: dict[str, Handler] = {}
        self._handler_names: dict[str, str] = {}  # lower-case → the docs' spelling
        self.entities = EntityMethods(
            derive_families(), self.records, self.deals, DealMethods(self.deals, cfg.costs), self._changed
        )
        for source in (
            self.entities,
            PaySystemMethods(self.payment_state, self._changed),
            self._payments,
            self.events,
            self.apps,
        ):
            for name, handler in source.handlers().items():
                self._handlers[name.lower()] = handler
                self._handler_names[name.lower()] = name
        self._introspection = Introspection(self)
        self._server: ServerThread | None = None
        self._oauth = self.tokens.issue()
        self._seed_file = load_seed_file(cfg.seed_from) if cfg.seed_from else {}
        self._seed_records()

    def _seed_records(self) -> None:
        if self.config.seed_records:
            self.entities.seed(self.config.seed_records)
        if self._seed_file:
            self.entities.seed(self._seed_file)

    def seed_records(self, data: dict[str, Any]) -> dict[str, int]:
        """Add records per family, e.g. `{"crm.contact": [{"NAME": "Ann"}]}`; returns counts."""
        with self._state_lock:
            return self.entities.seed(data)

    def stateful_methods(self) -> list[str]:
        """Methods whose answer depends on the portal's state (the rest answer their docs example)."""
        return sorted(self._handler_names.values())

    def __repr__(self) -> str:
        state = f"listening on {self.base_url}" if self._server else "stopped"
        return f"Emulator({state}, deals={self.deals.count})"

    def _new_limits(self) -> None:
        cfg = self.config
        self.bucket = LeakyBucket(
            cfg.effective_rate_limit, cfg.effective_drain_per_second, cfg.time_scale, clock=self._rate_clock
        )
        self.meter = OperatingMeter(cfg.operating_limit_seconds, cfg.basket_seconds, cfg.baskets, cfg.time_scale)

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is None:
            self._server = ServerThread(self.handle, self.config.port).start()
        return self

    def stop(self) -> None:
        self.deliverer.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # --- public API -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use it as a context manager")
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/rest/{self.config.webhook_user_id}/{self.config.webhook_token}/"

    def oauth_credentials(self) -> dict[str, Any]:
        """A ready token pair and the application's keys, as an OAuth client needs them."""
        return {
            "domain": self.base_url,
            "client_endpoint": f"{self.base_url}/rest/",
            "access_token": self._oauth["access_token"],
            "refresh_token": self._oauth["refresh_token"],
            "expires_in": self._oauth["expires_in"],
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "token_url": f"{self.base_url}/oauth/token/",
        }

    def authorization_code(self, client_id: str | None = None, user_id: int | None = None) -> str:
        """A one-time code for grant_type=authorization_code (valid 30 seconds) of an application."""
        return self.tokens.authorization_code(self.apps.get(client_id).client_id, user_id)

    def expire_tokens(self) -> None:
        """Expire every issued access token now; refresh tokens stay valid."""
        self.tokens.expire_all()

    @property
    def log(self) -> list[RequestRecord]:
        return self.traffic.records()

    @property
    def counters(self) -> dict[str, Any]:
        return self.traffic.counters()

    def respond_once(self, method: str, status: int, body: Any) -> None:
        """The next HTTP call of `method` gets exactly this status and JSON body."""
        self.faults.respond_once(self._method_key(method), status, body)

    def inject(self, fault: str, method: str | None = None, count: int = 1) -> None:
        """Fail the next `count` HTTP calls (of `method`, or any) with `fault`."""
        self.faults.inject(check_kind(fault), self._method_key(method) if method else None, count)

    def inject_command(self, fault: str, *, index: int | None = None, method: str | None = None, count: int = 1) -> None:
        """Fail the next `count` batch commands at position `index` (from 0) and/or of
        `method` with `fault` ("500" or "503"): the batch answers 200, the command's error
        is in result_error, and the command does not run (command_faults.py)."""
        self.command_faults.inject(fault, index, self._method_key(method) if method else None, count)

    def seed_deals(self, count: int) -> None:
        self.deals.seed_deals(count)

    def reset(self) -> None:
        """Back to the configured start: state, limits, faults, log and counters (tokens kept)."""
        with self._state_lock:
            self.deals.reset(self.config.deals)
            self.payment_state.reset()
            self.records.reset()
            self._seed_records()
            self.faults.clear()
            self.command_faults.clear()
            self.traffic.clear()
            self.idempotency.clear()
            self.events.reset()
            self.deliverer.clear()
            self._new_limits()

    def method_names(self) -> list[str]:
        """Every method this portal serves: the spec's and the stateful handlers' (v3 as name@v3)."""
        return sorted({*self.specs.method_ids(), *self._handler_names.values(), "batch"})

    # --- request handling -------------------------------------------------------------------

    def _method_key(self, method_id: str) -> str:
        return self._canonical(method_id) or method_id

    def _canonical(self, method_id: str) -> str | None:
        if method_id.lower() == "batch":
            return "batch"
        return self.specs.canonical(method_id) or self._handler_names.get(method_id.lower())

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The application the HTTP server calls for every request."""
        path = request.path
        if path.startswith("/_emulator/"):
            return self._introspection.handle(request)
        if path.rstrip("/") == "/oauth/token":
            return self._token_endpoint(request)
        if path.rstrip("/") == "/oauth/authorize" and request.method in ("GET", "HEAD"):
            return self._authorize(request)
        if path.startswith(("/pub/payment/", "/~")) and request.method in ("GET", "HEAD"):
            with self._state_lock:
                status, page, location = self._payments.public_page(path, decode_query(request.query))
            headers = {"Location": location} if location else {}
            return HttpResponse(status, page.encode(), "text/html; charset=utf-8", headers)
        target = parse_rest_path(path)
        if target is None:
            return HttpResponse(404, _dumps(error_body("ERROR_METHOD_NOT_FOUND", "Method not found!")))
        return self._rest(request, target)

    def _rest(self, request: HttpRequest, target: RestTarget) -> HttpResponse:
        seq = self.traffic.next_seq()
        try:
            params = decode_params(request.query, request.body, request.content_type)
        except BodyError as exc:
            outcome = Outcome(400, code="ERROR_ARGUMENT", description=str(exc), started=request.received_at)
            return self._finish(request, target, seq, {}, outcome, None, ())
        logged = mask_params(params)  # what the log shows: `auth` present but masked
        token = params.pop("auth", None)
        canonical = self._canonical(target.method_id)
        key = canonical or target.method_id
        fault = self.faults.draw(key, (target.method_id,))
        if isinstance(fault, Canned):
            outcome = Outcome(fault.status, started=request.received_at)
            return self._finish(request, target, seq, logged, outcome, "respond_once", (), canned=fault.body)
        if fault is not None and fault not in PROCESSED_KINDS:
            outcome = Outcome(0, started=request.received_at)
            return self._finish(request, target, seq, logged, outcome, fault, ())
        outcome, sub_calls = self._admit_and_run(request, target, params, token, canonical)
        return self._finish(request, target, seq, logged, outcome, fault, sub_calls)

    def _admit_and_run(
        self, request: HttpRequest, target: RestTarget, params: dict[str, Any], token: Any, canonical: str | None
    ) -> tuple[Outcome, tuple[SubCall, ...]]:
        started = request.received_at
        if self.config.limits_enabled and not self.bucket.try_acquire():
            return Outcome(503, code="QUERY_LIMIT_EXCEEDED", description="Too many requests", started=started), ()
        identity = self._authenticate(target, token)
        if isinstance(identity, Outcome):
            identity.started = started
            return identity, ()
        if canonical is None:
            return Outcome(404, code="ERROR_METHOD_NOT_FOUND", description="Method not found!", started=started), ()
        if canonical == "batch":
            return self._batch(params, identity, started)
        key = request.headers.get("idempotency-key") if target.api_version == 3 else None
        spec = self.specs.get(canonical)
        if key is not None and not (spec is not None and spec["idempotent"]):
            return self._invoke_once(key, canonical, params, identity, started), ()
        return self.invoke(canonical, params, identity, started), ()

    def _invoke_once(self, key: str, method: str, params: dict[str, Any], identity: Identity, started: float) -> Outcome:
        """A v3 write under an Idempotency-Key: run it, or replay its stored success."""
        echo = {"Idempotency-Key": key}
        if not idempotency.valid_key(key):
            return Outcome(
                400,
                code=idempotency.INVALID,
                started=started,
                headers=echo,
                description="The Idempotency-Key must be 1 to 255 printable ASCII characters",
            )
        scope, body = (identity.name, identity.user_id, method), idempotency.digest(params)
        try:
            stored = self.idempotency.stored(scope, key, body)
        except idempotency.KeyReused:
            return Outcome(
                422,
                code=idempotency.REUSED,
                started=started,
                headers=echo,
                description="The Idempotency-Key was already used with a different request body",
            )
        if isinstance(stored, Outcome):
            return dataclasses.replace(stored, started=started, cost=0.0, headers={**echo, "Idempotent-Replayed": "true"})
        outcome = self.invoke(method, params, identity, started)
        outcome.headers = echo
        if outcome.ok:
            self.idempotency.keep(scope, key, body, outcome)
        return outcome

    def _authenticate(self, target: RestTarget, token: Any) -> Identity | Outcome:
        cfg = self.config
        if target.auth_kind == "webhook":
            if target.user_id == cfg.webhook_user_id and same_secret(target.token, cfg.webhook_token):
                return Identity("webhook", f"webhook:{target.user_id}", cfg.webhook_user_id)
            return Outcome(401, code="NO_AUTH_FOUND", description="Wrong authorization data")
        state, grant = self.tokens.check_access(token if isinstance(token, str) else None)
        if state == "valid" and grant is not None:
            return Identity("app", f"app:{grant.client_id}", grant.user_id, grant.client_id)
        if state == "expired":
            return Outcome(401, code="expired_token", description="The access token provided has expired.")
        return Outcome(401, code="NO_AUTH_FOUND", description="Wrong authorization data")

    def invoke(self, method: str, params: dict[str, Any], identity: Identity, started: float | None = None) -> Outcome:
        """Run one method call (directly or inside batch) under the operating limit."""
        started = time.time() if started is None else started
        cfg = self.config
        blocked = self.meter.blocked(identity.name, method)
        if cfg.limits_enabled and blocked is not None:
            return Outcome(
                429,
                code="OPERATION_TIME_LIMIT",
                description="Method is blocked due to operation time limit.",
                operating=blocked,
                started=started,
            )
        method_id = method
        ignored: tuple[str, ...] = ()
        call = Call(method.split("@")[0], method_id, params, identity, self.specs)
        spec = self.specs.get(method_id)
        try:
            handler = self._handlers.get(method_id.lower()) if cfg.stateful or spec is None else None
            skip = BOUND_RULES if handler is not None else frozenset()
            checked = params_policy.check(self.specs, method_id, params, strict=cfg.strict_params, skip=skip)
            ignored = checked.ignored
            if checked.problems:
                code, status = params_policy.refusal(self.specs, method_id, checked)
                raise MethodError(status, code, "; ".join(checked.problems))
            if handler is not None:
                with self._state_lock:
                    reply = handler(call)
            else:
                reply = self._example_reply(self.specs.example(method_id))
            cost = reply.cost if reply.cost is not None else cfg.costs.call_seconds
            outcome = Outcome(200, reply.result, total=reply.total, next=reply.next, cost=cost, started=started)
        except MethodError as exc:
            outcome = Outcome(
                exc.status, code=exc.code, description=exc.description, cost=cfg.costs.call_seconds, started=started
            )
        except Exception as exc:  # an emulator bug must reach the client as a 500, not a dropped connection
            outcome = Outcome(
                500,
                code="INTERNAL_SERVER_ERROR",
                description=f"emulator error: {type(exc).__name__}: {exc}",
                cost=cfg.costs.call_seconds,
                started=started,
            )
        outcome.ignored = ignored
        outcome.operating = self.meter.record(identity.name, method, outcome.cost)
        if cfg.simulate_latency and outcome.cost > 0:
            time.sleep(outcome.cost / cfg.time_scale)
        return outcome

    @staticmethod
    def _example_reply(example: Mapping[str, Any] | None) -> Reply:
        """A method without a stateful handler answers with its page's example reply."""
        body = ((example or {}).get("response") or {}).get("body") or {}
        return Reply(body.get("result", []), total=body.get("total"), next=body.get("next"))

    def _batch(self, params: dict[str, Any], identity: Identity, started: float) -> tuple[Outcome, tuple[SubCall, ...]]:
        sub_calls: list[SubCall] = []
        costs = 0.0

        def run(method: str, sub_params: dict[str, Any]) -> CommandOutcome:
            nonlocal costs
            fault: CommandFault | None = None
            canonical = self._canonical(method)
            spec = self.specs.get(canonical) if canonical else None
            sub_started = time.time()
            if canonical == "batch" or (spec is not None and spec.get("batchable") is False):
                outcome = Outcome(
                    405,
                    code="ERROR_BATCH_METHOD_NOT_ALLOWED",
                    description="Method is not allowed for batch usage",
                    started=sub_started,
                )
            elif canonical is None:
                outcome = Outcome(404, code="ERROR_METHOD_NOT_FOUND", description="Method not found!", started=sub_started)
            elif (fault := self.command_faults.draw(len(sub_calls), canonical)) is not None:
                outcome = Outcome(fault.status, code=fault.code, description=fault.description, started=sub_started)
            else:
                outcome = self.invoke(canonical, sub_params, identity, sub_started)
            costs += outcome.cost
            name = canonical or method
            sub_calls.append(
                SubCall(
                    str(len(sub_calls)),
                    name,
                    mask_params(sub_params),
                    outcome.status,
                    outcome.code,
                    outcome.ignored,
                    fault.kind if fault is not None else None,
                )
            )
            self.traffic.count_method(name, outcome.status, in_batch=True)
            return CommandOutcome(
                ok=outcome.ok,
                result=outcome.result,
                error=None if outcome.ok else error_body(outcome.code or "", outcome.description),
                total=outcome.total,
                next=outcome.next,
                time=self._time(outcome),
            )

        try:
            result = run_batch(params, run)
        except BatchError as exc:
            return Outcome(exc.status, code=exc.code, description=exc.description, started=started), ()
        outcome = Outcome(200, result, cost=costs, operating=OperatingState(0.0, None), started=started)
        return outcome, tuple(sub_calls)

    def _time(self, outcome: Outcome) -> dict[str, Any]:
        """The time block; calls that never reached a method report operating 0 (nothing to reset)."""
        now = time.time()
        operating = outcome.operating or OperatingState(0.0, None)
        reset_at: float = operating.reset_at if operating.reset_at is not None else now
        # Rounded up: a client that waits until operating_reset_at must find the basket gone.
        reset_at = math.ceil(reset_at) if self.config.time_scale == 1 else math.ceil(reset_at * 1000) / 1000
        finish = max(now, outcome.started)
        # processing is part of duration (data-types.md): when the simulated cost is longer than
        # the real time, `start` moves back so the block stays consistent; `finish` stays the
        # real time, which clients compare with their own clock
        start = min(outcome.started, finish - outcome.cost)
        return time_block(start, finish, outcome.cost, operating.operating, reset_at)

    def _render(self, outcome: Outcome, api_version: int) -> dict[str, Any]:
        if outcome.ok:
            body: dict[str, Any] = {"result": outcome.result}
            if outcome.total is not None:
                body["total"] = outcome.total
            if outcome.next is not None:
                body["next"] = outcome.next
        else:
            body = error_body(outcome.code or "", outcome.description, api_version)
        body["time"] = self._time(outcome)
        return body

    def _finish(
        self,
        request: HttpRequest,
        target: RestTarget,
        seq: int,
        params: dict[str, Any],
        outcome: Outcome,
        fault: str | None,
        sub_calls: tuple[SubCall, ...],
        canned: Any = None,
    ) -> HttpResponse:
        """Render the outcome (or the fault that replaces it), log it with `params` (masked), count it."""
        response = HttpResponse(outcome.status)
        if fault == "respond_once":
            response.body = _dumps(canned)
        elif fault in ("503", "500"):
            code, description = (
                ("QUERY_LIMIT_EXCEEDED", "Too many requests")
                if fault == "503"
                else ("INTERNAL_SERVER_ERROR", "Internal server error")
            )
            response = HttpResponse(int(fault), _dumps(error_body(code, description, target.api_version)))
        elif fault == "html":
            response = HttpResponse(502, HTML_ERROR_PAGE, "text/html")
        elif fault == "reset_before":
            response = HttpResponse(0, action="reset")
        else:
            response.body = _dumps(self._render(outcome, target.api_version))
            if fault == "reset_after":
                response.action = "reset"
            elif fault == "slow":
                response.delay = self.config.slow_seconds
            elif fault == "truncated":
                response.body = truncate(response.body)
            response.headers = {**outcome.headers, **response.headers}
        status = 0 if response.action == "reset" else response.status
        method = self._canonical(target.method_id) or target.method_id
        if outcome.code != "ERROR_METHOD_NOT_FOUND" or fault:
            self.traffic.count_method(method, status, in_batch=False)
        self.traffic.add(
            RequestRecord(
                seq=seq,
                started_at=request.received_at,
                http_method=request.method,
                path=_masked_path(target, request.path),
                api_version=target.api_version,
                auth_kind=target.auth_kind,
                method=method,
                params=params,
                status=status,
                error=outcome.code if fault in (None, "reset_after", "slow", "truncated") else _fault_code(fault),
                duration=time.time() - request.received_at,
                processing=outcome.cost,
                raw_body=request.body,
                content_type=request.content_type,
                query=_masked_query(request.query),
                fault=fault,
                batch=sub_calls,
                replayed="Idempotent-Replayed" in outcome.headers,
                ignored=outcome.ignored,
            )
        )
        return response

    def _token_endpoint(self, request: HttpRequest) -> HttpResponse:
        try:
            params = decode_params(request.query, request.body, request.content_type)
            tokens = self.tokens.token_endpoint(params)
            address, app = self.address(), self.apps.get(str(params.get("client_id")))
            body = {
                **tokens,
                "client_endpoint": address.client_endpoint,
                "server_endpoint": address.server_endpoint,
                "domain": address.domain,
                "member_id": address.member_id,
                "scope": app.scope,
                "status": app.status,
            }
            status = 200
        except BodyError as exc:
            status, body = 400, {"error": "invalid_request", "error_description": str(exc)}
            params = {}
        except OAuthError as exc:
            status, body = exc.status, {"error": exc.code, "error_description": exc.description}
        self.traffic.add(
            RequestRecord(
                seq=self.traffic.next_seq(),
                started_at=request.received_at,
                http_method=request.method,
                path=request.path,
                api_version=None,
                auth_kind=None,
                method=None,
                params={k: ("***" if k in TOKEN_SECRET_KEYS else v) for k, v in params.items()},
                status=status,
                error=body.get("error"),
                duration=time.time() - request.received_at,
                processing=0.0,
                raw_body=request.body,
                content_type=request.content_type,
                query=_masked_query(request.query),
            )
        )
        return HttpResponse(status, _dumps(body))


def _fault_code(fault: str | None) -> str | None:
    return {"503": "QUERY_LIMIT_EXCEEDED", "500": "INTERNAL_SERVER_ERROR"}.get(fault or "")


def _masked_path(target: RestTarget, path: str) -> str:
    if target.token:
        return path.replace(f"/{target.token}/", "/***/")
    return path


def _masked_query(query: str) -> str:
    parts = []
    for part in query.split("&") if query else []:
        name = part.split("=", 1)[0]
        parts.append(f"{name}=***" if name in ("auth", *TOKEN_SECRET_KEYS) else part)
    return "&".join(parts)
