"""``connector-sim load``: B2C-shaped traffic at scale on Locust, with B2C's timeout as the failure line.

The users run in a fresh Python process that imports Locust first: gevent must patch ``ssl`` and
``socket`` before ``requests`` is imported, and this process imported it long ago (importing Locust
here would fail with a RecursionError). The run's configuration goes to the child on its stdin as
JSON, never on its command line; the child prints progress on stderr and the report on stdout.

A signal to this process (SIGINT, SIGTERM, SIGHUP), whether sent to it alone or to its process
group, is passed on to the child, which stops its users at once and reports what it has; the
command then exits with 128 + the signal's number. A child that does not stop in time is killed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict

from ..errors import ConfigurationError, ConnectorSimError
from ..timing import TIMING_PROFILES
from ._common import (
    Output,
    add_claims_arguments,
    add_json_argument,
    add_keys_argument,
    add_policy_arguments,
    add_profile_arguments,
    claims_from,
    json_errors,
    profile_options,
    service_urls_from,
)

__all__ = ["child_main", "parse_duration", "register"]

_DESCRIPTION = f"""\
Send B2C-faithful calls at scale with Locust, as many simulated users, and report what B2C would
make of them. A call fails when B2C would fail it (error status, error contract, unusable answer,
no answer within B2C's timeout) and also when it answered after B2C's timeout, even with a 200.
Targets: technical profile ids, one UserJourney id or one self-asserted profile id of --policy;
or --connector STEP URL for a user-flow API connector. Timing profiles: {', '.join(TIMING_PROFILES)}.
Exit codes: 0 the failure share is within --max-failure-ratio, 1 it is over (or nothing answered),
2 usage or configuration error. Needs the load extra: pip install 'connector_sim[load]'."""

_BOOT = """import sys
try:
    import locust
    from connector_sim.cli.load import child_main
except KeyboardInterrupt:  # Ctrl-C while Locust is still being imported: nothing started
    sys.exit(130)
sys.exit(child_main())
"""
#: The signals passed on to the child; a terminal's Ctrl-C reaches it directly as well.
_FORWARDED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
#: How long the child may take to stop its users and print its report after a signal.
_STOP_GRACE_S = 5.0
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def register(subparsers: Any) -> None:
    """Add the ``load`` command."""
    parser = subparsers.add_parser("load", help="load-test the API as B2C calls it, with Locust",
                                   description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", nargs="*", metavar="PROFILE_ID",
                        help="technical profile ids in order, or one UserJourney id or self-asserted profile id")
    add_policy_arguments(parser)
    add_keys_argument(parser)
    add_claims_arguments(parser)
    add_profile_arguments(parser)
    group = parser.add_argument_group("API connector target (instead of PROFILE_ID)")
    group.add_argument("--connector", nargs=2, metavar=("STEP", "URL"),
                       help="a user-flow API connector step (PostAttributeCollection...) and its https URL")
    group.add_argument("--auth", metavar="basic|certificate", help="how B2C authenticates to the connector")
    group.add_argument("--username", help="the Basic user name")
    group.add_argument("--password-env", metavar="VAR", help="environment variable holding the Basic password")
    group.add_argument("--pfx", metavar="FILE", help="the client certificate (.pfx with its private key)")
    group.add_argument("--pfx-password-env", metavar="VAR", help="environment variable holding the .pfx password")
    group.add_argument("--extensions-app-id", metavar="ID", help="Application (client) ID of the b2c-extensions-app")
    group = parser.add_argument_group("load")
    group.add_argument("--users", type=int, default=10, metavar="N", help="simulated users (default 10)")
    group.add_argument("--spawn-rate", type=float, metavar="R", help="users started per second (default: all at once)")
    group.add_argument("--run-time", default="60s", metavar="TIME", help="how long: 90, 90s, 2m, 1h30m (default 60s)")
    group.add_argument("--data", metavar="FILE", help="CSV (header of claim names) or JSON list: one row per user")
    group.add_argument("--row-per", default="user", metavar="user|call",
                       help="user: each simulated user keeps its row (default); call: every call takes the next row")
    group.add_argument("--wait", default="0", metavar="S|MIN-MAX",
                       help="seconds a user waits between calls (default 0)")
    group.add_argument("--rps", type=float, metavar="R",
                       help="pace the users to R calls per second in all (each user R/N); default: as fast as answered")
    group.add_argument("--max-failure-ratio", type=float, default=0.0, metavar="RATIO",
                       help="exit 1 when failed calls / calls is over this (default 0: any failure)")
    group.add_argument("--csv", metavar="PREFIX",
                       help="write Locust's CSV files PREFIX_stats.csv, PREFIX_failures.csv...")
    group.add_argument("--html", metavar="FILE", help="write Locust's HTML report")
    group.add_argument("--transport", default="requests", choices=("requests", "fast"),
                       help="requests: the SDK's transport (default); fast: the same B2C calls, byte for byte, on "
                            "geventhttpclient (Locust's FastHttpUser client), for rates beyond what requests sustains")
    add_json_argument(parser)
    parser.set_defaults(handler=handle)


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``2m``, ``1h30m``, ``1m30s`` in seconds."""
    found = _DURATION.match(str(text).strip())
    if not found or not any(found.groups()):
        raise ConfigurationError(f"--run-time must look like 90, 90s, 2m or 1h30m, got {text!r}")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in found.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ConfigurationError("--run-time must be more than 0 seconds")
    return total


def _run_options(args: argparse.Namespace) -> Dict[str, Any]:
    if args.users < 1:
        raise ConfigurationError(f"--users must be at least 1, got {args.users}")
    spawn_rate = args.spawn_rate if args.spawn_rate is not None else float(args.users)
    if spawn_rate <= 0:
        raise ConfigurationError(f"--spawn-rate must be positive, got {spawn_rate:g}")
    if not 0.0 <= args.max_failure_ratio <= 1.0:
        raise ConfigurationError(f"--max-failure-ratio is a share between 0 and 1, got {args.max_failure_ratio:g}")
    if args.rps is not None and args.rps <= 0:
        raise ConfigurationError(f"--rps must be positive, got {args.rps:g}")
    return {"users": args.users, "spawn_rate": spawn_rate, "run_time": parse_duration(args.run_time),
            "csv": args.csv, "html": args.html, "max_failure_ratio": args.max_failure_ratio, "json": args.json,
            "transport": args.transport}


def _config(args: argparse.Namespace) -> Any:
    from ..load.config import LoadConfig

    profile_options(args)  # checks --deployment-mode, --timing and --ca-bundle
    connector = None
    if args.connector:
        step, url = args.connector
        connector = {"step": step, "url": url, "auth": args.auth, "username": args.username,
                     "password_env": args.password_env, "pfx": args.pfx, "pfx_password_env": args.pfx_password_env,
                     "extensions_app_id": args.extensions_app_id}
        connector = {k: v for k, v in connector.items() if v is not None}
    elif any(getattr(args, name) for name in ("auth", "username", "password_env", "pfx", "pfx_password_env")):
        raise ConfigurationError("--auth, --username, --password-env, --pfx and --pfx-password-env go with --connector")
    return LoadConfig(
        policies=list(args.policies), target=list(args.target), keys=args.keys, settings=args.settings,
        environment=args.environment, service_urls=service_urls_from(args), ca_bundle=args.ca_bundle,
        deployment_mode=args.deployment_mode, timing=args.timing, claims=claims_from(args), data=args.data,
        row_per=args.row_per, connector=connector, wait=args.wait,
        throughput=args.rps / args.users if args.rps else None,
    ).check()


def _empty(exc: ConnectorSimError) -> Dict[str, Any]:
    return {"requests": 0, "failures": 0, "error": exc.to_dict()}


@json_errors(_empty)
def handle(args: argparse.Namespace, output: Output) -> int:
    """Check the arguments, then run the users in a fresh process; its exit code is the command's."""
    run = _run_options(args)
    config = _config(args)
    if importlib.util.find_spec("locust") is None:
        raise ConfigurationError("load testing needs Locust, which is not installed",
                                 hint="pip install 'connector_sim[load]'")
    payload = json.dumps({"config": config.to_dict(), "run": run}).encode("utf-8")
    env = dict(os.environ)
    # The child must import this very connector_sim, installed or not.
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([here, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    received: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        # Sent to this process alone (kill PID), the signal would never reach the users otherwise.
        received.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    child: subprocess.Popen[bytes] | None = None
    here_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, forward) for sig in _FORWARDED} if here_main else {}
    try:
        child = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, env=env)
        if received:  # a signal came while the child was starting
            child.send_signal(received[0])
        try:
            assert child.stdin is not None
            child.stdin.write(payload)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child is gone already; its exit code says why
        code = _wait(child, received)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        return 128 + received[0]
    return 130 if code < 0 and -code == 2 else (1 if code < 0 else code)


def _wait(child: subprocess.Popen[bytes], received: list[int]) -> int:
    """The child's exit code; killed when it has not stopped ``_STOP_GRACE_S`` after a signal."""
    stop_by = None
    while True:
        try:
            return child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            if received and stop_by is None:
                stop_by = time.monotonic() + _STOP_GRACE_S
            if stop_by is not None and time.monotonic() > stop_by:
                child.kill()
                return child.wait()


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def child_main() -> int:
    """The child process: build the users, run them, print progress and the report; return the exit code."""
    output = Output()
    # Until the run's own handlers are in place, SIGTERM and SIGHUP stop the start-up like Ctrl-C.
    for sig in _FORWARDED[1:]:
        signal.signal(sig, _interrupt)
    try:
        data = json.loads(sys.stdin.read())
    except KeyboardInterrupt:
        return 130
    run = data["run"]
    try:
        from ..load.config import LoadConfig
        from ..load.headless import run_load
        from ..load.user import user_class

        config = LoadConfig.from_dict(data["config"])
        target, secrets = config.build_target()
        output.add_secrets(secrets)
        user = user_class(target, config.build_rows(), claims=config.claims, name=config.name,
                          row_per=config.row_per, wait=config.wait, throughput=config.throughput,
                          transport=run.get("transport", "requests"))
        t = target.timing
        output.err(f"connector-sim: load on {target.describe()}: {run['users']} users "
                   f"(spawning {run['spawn_rate']:g}/s) for {run['run_time']:g} s; "
                   f"B2C's timeout {t.timeout:g} s ({t.name})")
        report = run_load(user, users=run["users"], spawn_rate=run["spawn_rate"], run_time=run["run_time"],
                          on_progress=lambda p: output.err(f"connector-sim: {p.line()}"),
                          csv_prefix=run.get("csv"), html_file=run.get("html"))
    except ConnectorSimError as exc:
        if run.get("json"):
            output.json(_empty(exc))
        output.error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        output.err("connector-sim: interrupted before the run started; nothing was sent")
        return 130
    limit = run["max_failure_ratio"]
    passed = bool(report.requests) and report.failure_ratio <= limit
    if run.get("json"):
        output.json({**report.to_dict(), "max_failure_ratio": limit, "passed": passed})
    else:
        output.out(report.table())
        if not report.requests:
            output.out("\nNo call completed: nothing to judge (is --run-time long enough?)")
        else:
            verdict = "within" if passed else "over"
            output.out(f"\nFailure share {100 * report.failure_ratio:.2f}% is {verdict} --max-failure-ratio {limit:g}")
    if report.interrupted:
        return 130
    return 0 if passed else 1
