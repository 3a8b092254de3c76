"""`b24`: the Bitrix24 REST API from a shell, checked against the same specs as the Python client.

    b24 methods 'crm.deal.*'                     list methods (glob or substring)
    b24 describe crm.deal.add                    parameters, rules, errors, docs link, example
    b24 validate crm.deal.add --json '{...}'     check parameters without sending anything
    b24 call crm.deal.get ID=5                   validated call, result as JSON on stdout
    b24 export crm.deal.list --format jsonl      every record of a list, streamed
    b24 emulator --deals 5000                    a local portal (python -m b24client.emulator)

The portal is given by --webhook or the B24_WEBHOOK environment variable (the environment
keeps the token out of the shell history and the process list). Secrets are never printed:
not in results, errors, warnings or --help.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NoReturn, TextIO

from .. import specs
from ..redact import redact
from .params import ParamError, parse_words, read_object

WEBHOOK_ENV = "B24_WEBHOOK"

EXIT_OK = 0
EXIT_INVALID = 1  # the parameters break the method's spec (validate, call, export); nothing was sent
EXIT_USAGE = 2  # bad command line: unknown option or method, unreadable JSON, no webhook
EXIT_API_ERROR = 3  # the portal answered with an error code
EXIT_NO_RESPONSE = 4  # no usable reply: connection failed, timed out, or the body was not Bitrix24 JSON
EXIT_INTERRUPTED = 130

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success (methods: something matched)
  {EXIT_INVALID}    invalid parameters, nothing sent (methods: nothing matched)
  {EXIT_USAGE}    usage error: bad option, unknown method, unreadable JSON, no webhook
  {EXIT_API_ERROR}    the portal refused the call (error code and description on stderr)
  {EXIT_NO_RESPONSE}    no usable reply: connection failure, timeout, or a reply that is not Bitrix24 JSON
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""


class UsageError(Exception):
    """A command line that cannot be run; the message is shown with exit code 2."""


def secrets_in(argv: Sequence[str], environ: dict[str, str]) -> list[str]:
    """Every secret the command line or the environment carries: webhook URLs and their tokens."""
    urls = [environ.get(WEBHOOK_ENV, "")]
    for position, word in enumerate(argv):
        if word == "--webhook" and position + 1 < len(argv):
            urls.append(argv[position + 1])
        elif word.startswith("--webhook="):
            urls.append(word.split("=", 1)[1])
    found = []
    for url in filter(None, urls):
        found.append(url)
        found += [segment for segment in url.rstrip("/").split("/")[-1:] if len(segment) >= 4]
    return found


class _Parser(argparse.ArgumentParser):
    """argparse quotes bad arguments back; a mistyped webhook must not end up on screen."""

    secrets: ClassVar[list[str]] = []

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {redact(message, self.secrets)}\n")


def _connection_options() -> _Parser:
    parent = _Parser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument(
        "--webhook", metavar="URL", help=f"inbound webhook URL https://<portal>/rest/<user>/<token>/ (default: ${WEBHOOK_ENV})"
    )
    group.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="read timeout per request (default: 60)")
    group.add_argument("--no-rate-limit", action="store_true", help="do not pace requests to the portal's documented limits")
    return parent


def _method_options(parser: argparse.ArgumentParser, words: bool = True) -> None:
    parser.add_argument("method", metavar="METHOD", help="REST method name, e.g. crm.deal.add (name@v3 for REST v3)")
    if words:
        parser.add_argument(
            "words",
            nargs="*",
            metavar="key=value",
            help="parameters: key=value (string), key:=JSON, nested as filter[>ID]=10, list as select[]=ID",
        )
    parser.add_argument(
        "--json",
        dest="json_params",
        metavar="PARAMS",
        help="parameters as a JSON object, @file or - (stdin); key=value words are merged over it",
    )
    parser.add_argument("--v3", action="store_true", help="the REST v3 method of that name (/rest/api/...)")
    parser.add_argument("--strict", action="store_true", help="refuse parameters the spec does not document")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="b24", description=__doc__, epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    connection = _connection_options()

    def command(name: str, help_text: str, parents: Sequence[_Parser] = ()) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=list(parents),
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    call = command("call", "call a method and print its result as JSON", [connection])
    _method_options(call)
    call.add_argument("--full", action="store_true", help="print the whole reply: result, total, next, time")
    call.add_argument("--no-validate", action="store_true", help="send without checking against the spec")

    listing = command("methods", "list the methods with a spec")
    listing.add_argument(
        "pattern", nargs="?", metavar="PATTERN", help="glob (crm.deal.*) or substring (paysystem); v3 methods end in @v3"
    )

    describe = command("describe", "parameters, types, rules, errors, docs link and example of a method")
    describe.add_argument("method", metavar="METHOD", help="REST method name (name@v3 for REST v3)")
    describe.add_argument("--v3", action="store_true", help="the REST v3 method of that name")
    describe.add_argument("--json", dest="as_json", action="store_true", help="the compiled spec as JSON")

    validate = command(
        "validate", "check parameters against the spec without sending anything (exit 0 valid, 1 problems on stderr)"
    )
    _method_options(validate)

    export = command("export", "write every record of a list method to stdout (or --output), streamed", [connection])
    export.add_argument("method", metavar="METHOD", help="a list method, e.g. crm.deal.list")
    export.add_argument("words", nargs="*", metavar="key=value", help="more parameters, as for `b24 call`")
    export.add_argument("--filter", metavar="JSON", help='filter object, e.g. \'{"STAGE_ID": "WON", ">ID": 100}\'')
    export.add_argument(
        "--select", action="append", metavar="FIELDS", help="fields to read, comma-separated (ID,TITLE); repeatable"
    )
    export.add_argument("--order", metavar="JSON", help='order object, e.g. \'{"ID": "DESC"}\'')
    export.add_argument("--json", dest="json_params", metavar="PARAMS", help="all parameters as a JSON object")
    export.add_argument(
        "--format",
        choices=("jsonl", "csv", "json"),
        default="jsonl",
        help="jsonl (one record per line, default), csv or json (one array)",
    )
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    export.add_argument(
        "--strategy",
        choices=("auto", "cursor", "partitioned", "offset"),
        default="auto",
        help="how to page (docs/bulk.md); default: the fastest the method allows",
    )
    export.add_argument("--workers", type=int, default=4, help="parallel id ranges for partitioned exports (default 4)")
    bar = export.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_const",
        const=True,
        help="always show a progress bar on stderr (default: only on a terminal)",
    )
    bar.add_argument("--no-progress", dest="progress", action="store_const", const=False, help="never show one")
    export.add_argument("--v3", action="store_true", help=argparse.SUPPRESS)
    export.add_argument("--strict", action="store_true", help="refuse parameters the spec does not document")

    commands.add_parser("emulator", help="run a local Bitrix24 emulator (b24 emulator --help for its options)", add_help=False)
    return parser


# -- helpers -------------------------------------------------------------------------------


def _method_id(args: argparse.Namespace) -> tuple[str, int]:
    method, _, version = args.method.partition("@")
    if version not in ("", "v3"):
        raise UsageError(f"{args.method}: only @v3 may follow a method name")
    return method, 3 if (version or args.v3) else 2


def _known_spec(method: str, api_version: int) -> specs.MethodSpec:
    spec = specs.get(specs.method_id(method, api_version))
    if spec is not None:
        return spec
    import difflib

    close = difflib.get_close_matches(specs.method_id(method, api_version), specs.method_ids(), n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `b24 methods PATTERN` lists them"
    raise UsageError(f"{specs.method_id(method, api_version)}: no such method in the specs{hint}")


def _params(args: argparse.Namespace) -> dict[str, Any]:
    base = read_object(args.json_params) if args.json_params else {}
    return parse_words(args.words, base)


def _client(args: argparse.Namespace, strict: bool = False, validate: bool = True) -> Any:
    from b24client import Bitrix24
    from b24client.runtime.retry import RetryPolicy

    webhook = args.webhook or os.environ.get(WEBHOOK_ENV)
    if not webhook:
        raise UsageError(f"no portal: pass --webhook URL or set {WEBHOOK_ENV}")
    try:
        return Bitrix24(
            webhook=webhook,
            timeout=(3.05, args.timeout),
            rate_limit=not args.no_rate_limit,
            strict=strict,
            validate=validate,
            retry=RetryPolicy(),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _print_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    print(f"warning: {redact(str(message), _Parser.secrets)}", file=sys.stderr)


def _problems(problems: Sequence[Any]) -> None:
    for problem in problems:
        print(f"  - {problem.path or '(parameters)'}: {problem.message} [rule: {problem.rule}]", file=sys.stderr)


# -- commands --------------------------------------------------------------------------------


def run_call(args: argparse.Namespace) -> int:
    method, api_version = _method_id(args)
    params = _params(args)
    if specs.get(specs.method_id(method, api_version)) is None:
        print(f"warning: {specs.method_id(method, api_version)} has no spec; parameters are sent unchecked", file=sys.stderr)
    with _client(args, strict=args.strict, validate=not args.no_validate) as b24:
        reply = b24.call_raw(method, params, api_version=api_version)
    if args.full:
        envelope = {"result": reply.result, "total": reply.total, "next": reply.next, "time": reply.time}
        _print_json({key: value for key, value in envelope.items() if value is not None}, sys.stdout)
    else:
        _print_json(reply.result, sys.stdout)
    return EXIT_OK


def run_methods(args: argparse.Namespace) -> int:
    pattern = args.pattern or "*"
    glob = any(char in pattern for char in "*?[")
    found = [
        name
        for name in sorted(specs.method_ids())
        if (fnmatch.fnmatchcase(name, pattern) if glob else pattern.lower() in name.lower())
    ]
    sys.stdout.write("".join(name + "\n" for name in found))
    if not found:
        print(f"no method matches {pattern!r}", file=sys.stderr)
    return EXIT_OK if found else EXIT_INVALID


def run_describe(args: argparse.Namespace) -> int:
    from .describe import describe

    method, api_version = _method_id(args)
    spec = _known_spec(method, api_version)
    if args.as_json:
        _print_json(spec, sys.stdout)
    else:
        sys.stdout.write(describe(specs.method_id(method, api_version), spec))
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    from ..validate import check

    method, api_version = _method_id(args)
    spec = _known_spec(method, api_version)
    checked = check(spec, _params(args), strict=args.strict)
    for name in checked.unknown:
        print(f"warning: {name} is not documented for {method}; the portal would get it as given", file=sys.stderr)
    if checked.problems:
        count = len(checked.problems)
        print(f"{method}: {count} invalid parameter{'s' if count != 1 else ''}:", file=sys.stderr)
        _problems(checked.problems)
        return EXIT_INVALID
    print(f"{method}: parameters are valid", file=sys.stderr)
    return EXIT_OK


def _export_params(args: argparse.Namespace, paging: Any) -> dict[str, Any]:
    params = _params(args)
    if args.filter:
        params[paging.filter_param] = read_object(args.filter, "--filter")
    if args.order:
        params[paging.order_param] = read_object(args.order, "--order")
    if args.select:
        params[paging.select_param] = [field for word in args.select for field in word.split(",") if field]
    return params


def run_export(args: argparse.Namespace) -> int:
    from ..export import paging_for
    from . import writers

    method, api_version = _method_id(args)
    paging = paging_for(method, api_version)
    if paging.style != "offset":
        raise UsageError(
            f"{method}: not a paged list method, so there is nothing to export page by page; use `b24 call`"
            if paging.style == "none"
            else f"{method}: pages by {paging.style!r}, which export does not read yet"
        )
    params = _export_params(args, paging)
    select = params.get(paging.select_param)
    columns = (
        [str(name) for name in select] if isinstance(select, list) and not any("*" in str(name) for name in select) else None
    )
    out: TextIO = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        with _client(args, strict=args.strict) as b24:
            records = b24.iterate(
                method, params, strategy=args.strategy, workers=args.workers, progress=args.progress, api_version=api_version
            )
            if args.format == "csv":
                layout = writers.CsvColumns(columns)
                count = writers.write_csv(records, out, layout)
                if layout.dropped:
                    print(
                        f"warning: fields not in the CSV header were left out: {', '.join(sorted(layout.dropped))}"
                        " (name the columns with --select)",
                        file=sys.stderr,
                    )
            else:
                count = (writers.write_jsonl if args.format == "jsonl" else writers.write_json)(records, out)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{method}: exported {count} record{'s' if count != 1 else ''}", file=sys.stderr)
    return EXIT_OK


def run_emulator(argv: Sequence[str]) -> int:
    from b24client.emulator.__main__ import main as emulator_main

    return emulator_main(list(argv))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "call": run_call,
    "methods": run_methods,
    "describe": run_describe,
    "validate": run_validate,
    "export": run_export,
}


def _fail(message: str, code: int) -> int:
    print(f"b24: error: {redact(message, _Parser.secrets)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    _Parser.secrets = secrets_in(words, dict(os.environ))
    if words[:1] == ["emulator"]:
        return run_emulator(words[1:])
    parser = build_parser()
    args, extra = parser.parse_known_args(words)
    # key=value words may follow options too (argparse stops collecting positionals at the first option)
    if hasattr(args, "words"):
        args.words += [word for word in extra if not word.startswith("-")]
        extra = [word for word in extra if word.startswith("-")]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from ..exceptions import ApiError, Bitrix24Error, ValidationError

    warnings.showwarning = _show_warning
    try:
        return COMMANDS[args.command](args)
    except (UsageError, ParamError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ValidationError as exc:
        count = len(exc.problems)
        print(f"{exc.method}: {count} invalid parameter{'s' if count != 1 else ''}; nothing was sent:", file=sys.stderr)
        _problems(exc.problems)
        return EXIT_INVALID
    except ApiError as exc:
        return _fail(f"{exc.method}: {exc.code or '(no code)'} (HTTP {exc.status}): {exc.description}", EXIT_API_ERROR)
    except Bitrix24Error as exc:
        return _fail(str(exc), EXIT_NO_RESPONSE)
    except ValueError as exc:  # iterate's refusals: a strategy the method cannot take
        return _fail(str(exc), EXIT_USAGE)
    except BrokenPipeError:  # `b24 export ... | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
