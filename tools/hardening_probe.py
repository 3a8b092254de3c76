# ruff: noqa: S105, S106, S310, B023 - a probe on loopback with made-up secrets; lambdas run at once
"""Measure the findings of issue 10 (hostile replies, redirects, logs, bad input) as figures.

Run before and after a fix with the same command, `.venv/bin/python tools/hardening_probe.py`;
it uses only the public client API, the emulator and the hostile test server on 127.0.0.1,
so both versions of the code are measured the same way. Each line is one figure.
"""

from __future__ import annotations

import io
import json
import logging
import math
import random
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from b24client import Bitrix24
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime import specs
from b24client.runtime.exceptions import Bitrix24Error, OutcomeUnknownError, ValidationError
from b24client.runtime.ratelimit import PortalRateLimiter
from b24client.runtime.retry import NO_RETRY, RetryPolicy
from b24client.runtime.validate import validate
from tests.support.hostile import HostileServer, Reply, endless, nested, time_block

TOKEN = "probeWebhookToken42"
SECRET = "cl/ient+secret=42"  # percent-encodes differently in a query


def figure(finding: str, name: str, value: object) -> None:
    print(f"{finding:>3}  {name}: {value}", flush=True)


def outcome(fn: Any) -> str:
    try:
        result = fn()
    except Exception as exc:
        return type(exc).__name__
    return f"ok:{str(result)[:30]}"


def redirects() -> None:
    with HostileServer(lambda seen: Reply(200, b'{"result":"from-the-other-host"}')) as target:
        for status in (301, 302, 307, 308):

            def script(seen: Any, status: int = status) -> Reply:
                return Reply(status, b"", {"Location": target.url.replace("127.0.0.1", "localhost") + seen.path})

            with HostileServer(script) as origin:
                before = len(target.seen)
                hook = Bitrix24(webhook=origin.webhook(TOKEN), retry=NO_RETRY, rate_limiter=None)
                got = outcome(lambda: hook.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}))
                oauth = Bitrix24(domain=origin.url, access_token="probe-access-token", retry=NO_RETRY, rate_limiter=None)
                outcome(lambda: oauth.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}))
                leaked = sum(TOKEN in s.path or b"probe-access-token" in s.body for s in target.seen[before:])
                figure(1, f"{status} on a write: requests reaching the other host with a secret", leaked)
                figure(1, f"{status} on a write: what the write returned", got)


def logs() -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    root = logging.getLogger()
    handler = Keep()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    errors: list[BaseException] = []
    try:
        with Emulator(EmulatorConfig(limits_enabled=False, webhook_token=TOKEN, client_secret=SECRET)) as portal:
            hook = Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limiter=None)
            portal.seed_deals(3)
            hook.call("crm.deal.list", {})
            list(hook.iterate("crm.deal.list"))
            hook.batch([("crm.deal.list", {}), ("crm.deal.get", {"id": 999})], raise_on_error=False)
            try:
                hook.call("crm.item.payment.get", {"id": 10**6})
            except Exception as exc:
                errors.append(exc)
            creds = portal.oauth_credentials()
            oauth = Bitrix24(
                domain=creds["domain"],
                access_token=creds["access_token"],
                refresh_token=creds["refresh_token"],
                client_id=creds["client_id"],
                client_secret=SECRET,
                token_url=creds["token_url"],
                retry=NO_RETRY,
                rate_limiter=None,
            )
            portal.expire_tokens()
            oauth.call("crm.deal.list", {})
            secrets = [
                TOKEN,
                SECRET,
                oauth._auth.access_token,
                oauth._auth.refresh_token,  # type: ignore[attr-defined]
                creds["access_token"],
                creds["refresh_token"],
            ]
        dead = Bitrix24(webhook=f"http://127.0.0.1:9/rest/1/{TOKEN}/", retry=NO_RETRY, rate_limiter=None)
        bad_refresh = Bitrix24(
            domain="http://127.0.0.1:9",
            access_token="x",
            refresh_token="probe-refresh",
            client_id="app",
            client_secret=SECRET,
            token_url="http://127.0.0.1:9/oauth/token/",
            retry=NO_RETRY,
            rate_limiter=None,
        )
        for failing in (
            lambda: dead.call("crm.deal.list"),
            lambda: bad_refresh._auth.refresh(bad_refresh._transport.session, "x", 1),
        ):  # type: ignore[attr-defined]
            try:
                failing()
            except Exception as exc:
                errors.append(exc)
    finally:
        root.removeHandler(handler)
        root.setLevel(logging.WARNING)
    secrets.append("probe-refresh")
    forms = {
        form
        for secret in secrets
        if secret
        for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret))
    }
    leaking = [line for line in lines if any(form in line for form in forms)]
    figure(2, "DEBUG log lines carrying a secret / all lines", f"{len(leaking)} / {len(lines)}")
    figure(2, "  of them from", sorted({line.split(":")[0] for line in leaking}))
    texts = []
    for exc in errors:
        seen: BaseException | None = exc
        while seen is not None:
            texts += [str(seen), repr(seen)]
            seen = seen.__cause__ or seen.__context__
    figure(
        2,
        "exception texts (str/repr over the cause/context chain) carrying a secret",
        f"{sum(any(form in text for form in forms) for text in texts)} / {len(texts)}",
    )


def replies() -> None:
    big = b'{"result":"' + b"x" * (48 * 2**20) + b'"}'  # made before tracing: only the client's memory counts
    with HostileServer(lambda seen: Reply(200, big)) as server:
        client = Bitrix24(webhook=server.webhook(), retry=NO_RETRY, rate_limiter=None)
        tracemalloc.start()
        got = outcome(lambda: client.call("crm.deal.list"))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figure(3, "48 MiB reply: outcome, peak traced memory MiB", f"{got.split(':')[0]}, {peak / 2**20:.0f}")
    with HostileServer(lambda seen: Reply(200, (c for i, c in enumerate(endless()) if i < 1500), chunked=True)) as server:
        client = Bitrix24(webhook=server.webhook(), retry=NO_RETRY, rate_limiter=None)
        tracemalloc.start()
        got = outcome(lambda: client.call("crm.deal.list"))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        figure(3, "endless chunked body (server stops at ~94 MiB): outcome, peak MiB", f"{got}, {peak / 2**20:.0f}")
    body = b'{"result":[1,2,3]}' + b" " * 40
    with HostileServer(lambda seen: Reply(200, (bytes([b]) for b in body), drip=0.1)) as server:
        client = Bitrix24(webhook=server.webhook(), retry=NO_RETRY, rate_limiter=None, timeout=(1.0, 1.0))
        started = time.monotonic()
        got = outcome(lambda: client.call("crm.deal.list"))
        figure(
            3,
            "1 byte per 0.1 s for 58 bytes, timeout (1 s, 1 s): seconds held, outcome",
            f"{time.monotonic() - started:.1f}, {got}",
        )


def sleeps() -> None:
    cases = {
        "operating_reset_at now+3600": lambda: time_block(operating=480, operating_reset_at=time.time() + 3600),
        "operating_reset_at 1e300": lambda: time_block(operating=480, operating_reset_at=1e300),
        "portal clock 1 h ahead": lambda: time_block(
            operating=480, start=time.time() + 3600, finish=time.time() + 3600, operating_reset_at=time.time() + 3630
        ),
    }
    for name, block in cases.items():
        with HostileServer(lambda seen, block=block: Reply(200, json.dumps({"result": [], "time": block()}).encode())) as srv:
            slept: list[float] = []
            limiter = PortalRateLimiter(sleep=slept.append)
            client = Bitrix24(webhook=srv.webhook(), retry=NO_RETRY, rate_limiter=limiter)
            client.sleep = slept.append
            for _ in range(3):
                outcome(lambda: client.call("crm.deal.list"))
            figure(4, f"{name}: longest sleep asked (s)", f"{max(slept, default=0):.3g}")
    refusal = {"error": "OPERATION_TIME_LIMIT", "error_description": "blocked"}
    calls = {"n": 0}

    def script(seen: Any) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            block = time_block(operating=500, operating_reset_at=time.time() + 86400)
            return Reply(429, json.dumps({**refusal, "time": block}).encode())
        return Reply(200, json.dumps({"result": [], "time": time_block()}).encode())

    with HostileServer(script) as srv:
        slept = []
        limiter = PortalRateLimiter(sleep=slept.append)
        client = Bitrix24(webhook=srv.webhook(), retry=RetryPolicy(attempts=3, backoff=0.001), rate_limiter=limiter)
        client.sleep = slept.append
        first = outcome(lambda: client.call("crm.deal.list"))
        second = outcome(lambda: client.call("crm.deal.list"))
        figure(
            4, "429 with reset now+86400: longest sleep asked (s), outcomes", f"{max(slept, default=0):.3g}, {first}, {second}"
        )


BAD_REPLIES: dict[str, bytes] = {
    'total "abc"': b'{"result":[],"total":"abc"}',
    "total [1]": b'{"result":[],"total":[1]}',
    "total Infinity": b'{"result":[],"total":Infinity}',
    'next "abc"': b'{"result":[],"next":"abc"}',
    "next [1]": b'{"result":[],"next":[1]}',
    "next Infinity": b'{"result":[],"next":Infinity}',
    "nested 100000": nested(100_000),
}


def bad_replies() -> None:
    escaped = {"read": 0, "write": 0}
    not_unknown = 0
    for body in BAD_REPLIES.values():
        with HostileServer(lambda seen, body=body: Reply(200, body)) as srv:
            client = Bitrix24(webhook=srv.webhook(), retry=NO_RETRY, rate_limiter=None)
            for kind, method, params in (
                ("read", "crm.item.payment.list", {"entityId": 1, "entityTypeId": 2}),
                ("write", "crm.item.payment.add", {"entityId": 1, "entityTypeId": 2}),
            ):
                try:
                    client.call_raw(method, params)
                except Bitrix24Error as exc:
                    not_unknown += kind == "write" and not isinstance(exc, OutcomeUnknownError)
                except Exception:
                    escaped[kind] += 1
                    not_unknown += kind == "write"
    figure(
        5,
        f"malformed total/next/depth replies ({len(BAD_REPLIES)}): non-Bitrix24Error escapes read/write",
        f"{escaped['read']}/{escaped['write']}",
    )
    figure(5, "  writes not reported as OutcomeUnknownError", f"{not_unknown} / {len(BAD_REPLIES)}")
    for name, status, body in (
        ("500 carrying result", 500, b'{"result":{"id":1}}'),
        ("200 carrying result and error", 200, b'{"result":{"id":1},"error":"X","error_description":"d"}'),
    ):
        with HostileServer(lambda seen, status=status, body=body: Reply(status, body)) as srv:
            client = Bitrix24(webhook=srv.webhook(), retry=NO_RETRY, rate_limiter=None)
            figure(
                5,
                f"{name}: a write returns",
                outcome(lambda: client.call("crm.item.payment.add", {"entityId": 1, "entityTypeId": 2})),
            )


class _Opaque:
    pass


def _hostile_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(14)
    if pick == 0:
        value: Any = []
        for _ in range(1000):
            value = [value]
        return value
    simple = [
        10**5000,
        -(10**400),
        _Opaque(),
        b"bytes",
        "\ud800",
        math.nan,
        math.inf,
        {1: "x"},
        {(1, 2): 1},
        rng.randint(-5, 10**6),
        "text",
        [1, "2"],
        {"a": 1},
    ]
    if pick == 13 and depth < 3:
        return {rng.choice(["ID", "fields", 7, "x"]): _hostile_value(rng, depth + 1) for _ in range(2)}
    return simple[pick - 1] if pick - 1 < len(simple) else None


def bad_input() -> None:
    rng = random.Random(10)
    family = sorted(path.stem for path in Path("spec/methods").glob("*.yaml"))
    imported = sorted(rng.sample([m for m in specs.method_ids() if "@" not in m and m not in family], 20))
    with Emulator(EmulatorConfig(limits_enabled=False)) as portal:
        client = Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limiter=None)
        escaped_validate = escaped_call = total = 0
        for method in family + imported:
            names = list((specs.get(method) or {}).get("params", {})) or ["x"]
            for _ in range(20):
                params = {rng.choice([*names, 5, "zz"]): _hostile_value(rng) for _ in range(rng.randint(1, 3))}
                total += 1
                try:
                    validate(method, params)
                except Exception:
                    escaped_validate += 1
                try:
                    client.call(method, params)
                except (Bitrix24Error, ValidationError):
                    pass
                except Exception:
                    escaped_call += 1
        nonstandard = sum(any(word in record.raw_body for word in (b"NaN", b"Infinity")) for record in portal.log)
    figure(
        6,
        f"seeded hostile inputs: {total} on {len(family) + len(imported)} methods; validate raised non-ValidationError",
        escaped_validate,
    )
    figure(6, "  call raised something else than a Bitrix24Error", escaped_call)
    figure(6, "  requests that went out with NaN/Infinity", nonstandard)


def codegen() -> None:
    from codegen import check, load

    source = Path("spec/methods/crm.item.payment.get.yaml").read_text()
    schema = "  schema:\n    type: object\n"
    mutations = {
        "NUL byte in a summary": source.replace("summary: Payment to read.", 'summary: "Payment\\0to read."', 1),
        "result $ref to a local file": source.replace(schema, schema + "    $ref: 'file:///etc/hostname'\n", 1),
        "result $ref to http": source.replace(schema, schema + "    $ref: 'http://127.0.0.1:9/s.json'\n", 1),
        "parameter named self": source.replace("\n  id:\n", "\n  self:\n", 1),
    }
    refused = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in mutations.items():
            assert text != source, name
            tree_dir = Path(tmp) / name.replace(" ", "_")
            (tree_dir / "methods").mkdir(parents=True)
            for extra in ("types.yaml", "system-errors.yaml", "imported-types.yaml"):
                (tree_dir / extra).write_text(Path("spec", extra).read_text())
            (tree_dir / "methods" / "crm.item.payment.get.yaml").write_text(text)
            try:
                problems = check.check_tree(load.load_tree(tree_dir))
            except Exception as exc:
                problems = [f"crash {type(exc).__name__}"]
            clear = bool(problems) and not any(p.startswith("crash") for p in problems)
            refused += clear
            figure(7, f"{name}: refused by the checks with a message", f"{clear} {str(problems)[:90]}")
    figure(7, "codegen hostile specs refused", f"{refused} / {len(mutations)}")


def oauth() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False)) as portal:
        creds = portal.oauth_credentials()
        client = Bitrix24(
            domain=creds["domain"],
            access_token=creds["access_token"],
            refresh_token="not-a-valid-refresh",
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            token_url=creds["token_url"],
            retry=NO_RETRY,
            rate_limiter=None,
        )
        portal.expire_tokens()
        barrier = threading.Barrier(16)

        def one() -> None:
            barrier.wait()
            outcome(lambda: client.call("crm.deal.list"))

        threads = [threading.Thread(target=one) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        figure(8, "16 threads, refused refresh: token requests", sum(r.path.startswith("/oauth") for r in portal.log))

        def broken_callback(tokens: dict[str, Any]) -> None:
            raise RuntimeError("database down")

        creds = portal.oauth_credentials()
        client = Bitrix24(
            domain=creds["domain"],
            access_token=creds["access_token"],
            refresh_token=creds["refresh_token"],
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            token_url=creds["token_url"],
            retry=NO_RETRY,
            rate_limiter=None,
            on_token_refresh=broken_callback,
        )
        portal.expire_tokens()
        import warnings

        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            figure(8, "on_token_refresh raises: the call gives", outcome(lambda: client.call("crm.deal.list")))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("urllib3").addHandler(handler)
    try:
        with HostileServer(lambda seen: Reply(200, iter([b'{"result":', b"1}"]), drip=0.2, chunked=True)) as srv:
            client = Bitrix24(webhook=srv.webhook(), retry=NO_RETRY, rate_limiter=None)
            threads = [threading.Thread(target=lambda: outcome(lambda: client.call("crm.deal.list"))) for _ in range(32)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        logging.getLogger("urllib3").removeHandler(handler)
    figure(8, "32 threads, default pool: 'Connection pool is full' lines", stream.getvalue().count("Connection pool is full"))


def emulator_depth() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False)) as portal:
        body = b'{"x":' + b"[" * 600 + b"]" * 600 + b"}"
        request = urllib.request.Request(
            portal.webhook_url + "crm.deal.list", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                status: object = reply.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception as exc:
            status = f"no reply ({type(exc).__name__})"
        figure(9, "JSON body nested 600 deep: emulator answers", status)


def idempotency() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False)) as portal:
        client = Bitrix24(webhook=portal.webhook_url, retry=RetryPolicy(attempts=3, backoff=0.001), rate_limiter=None)
        method = "humanresources.node.add"
        portal.inject("reset_after", method=f"{method}@v3", count=1)
        got = outcome(lambda: client.call(method, {"name": "x", "type": "DEPARTMENT", "parentId": 1}, api_version=3))
        sent = [r for r in portal.log if r.method and r.method.startswith(method)]
        figure("v3", "write reset after it ran: outcome, requests", f"{got}, {len(sent)}")


if __name__ == "__main__":
    wanted = set(sys.argv[1:])
    for probe in (redirects, logs, replies, sleeps, bad_replies, bad_input, codegen, oauth, emulator_depth, idempotency):
        if not wanted or probe.__name__ in wanted:
            try:
                probe()
            except Exception as exc:
                print(f"probe {probe.__name__} crashed: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
