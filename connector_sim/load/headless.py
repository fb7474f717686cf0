"""Run B2C users headless with Locust as a library, and report like ``connector-sim load``.

``run_load`` is what the CLI runs: a local runner, a progress callback every couple of seconds,
Locust's own CSV and HTML reports on request, and a ``LoadReport`` at the end. ``add_b2c_report``
gives a locustfile the same end-of-run table and failure threshold under ``locust -f``, where
Locust runs the show (``--processes``, ``--master`` / ``--worker``) and the master aggregates.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import gevent
from locust import events as default_events
from locust.env import Environment
from locust.event import Events
from locust.html import get_html_report
from locust.runners import WorkerRunner
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter, stats_history

from .report import LoadReport
from .user import B2CUser, shared_target

__all__ = ["Progress", "add_b2c_report", "run_load"]

_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@dataclass(frozen=True)
class Progress:
    """A snapshot while the run goes: elapsed time, users, calls, failures, current rate and p95."""

    elapsed_s: float
    users: int
    target_users: int
    requests: int
    failures: int
    current_rps: float
    p95_ms: Optional[int]

    def line(self) -> str:
        """One progress line."""
        share = f" ({100.0 * self.failures / self.requests:.2f}%)" if self.requests else ""
        p95 = "-" if self.p95_ms is None else f"{self.p95_ms} ms"
        return (f"{self.elapsed_s:5.0f} s  users {self.users}/{self.target_users}  requests {self.requests:,}  "
                f"failures {self.failures:,}{share}  {self.current_rps:.1f} req/s  p95 {p95}")


def _progress(env: Environment, started: float, target_users: int, last: list) -> Progress:
    total = env.stats.total
    try:
        p95 = total.get_current_response_time_percentile(0.95)
    except ValueError:
        p95 = None
    if p95 is None and total.num_requests:
        p95 = total.get_response_time_percentile(0.95)
    # The rate since the previous line: Locust's own current_rps lags by a few seconds.
    now = time.monotonic()
    then, before = last[0]
    rps = (total.num_requests - before) / (now - then) if now > then else 0.0
    last[0] = (now, total.num_requests)
    runner = env.runner
    return Progress(now - started, runner.user_count if runner else 0, target_users,
                    total.num_requests, total.num_failures, rps, p95)


def _write_csv_once(writer: StatsCSVFileWriter) -> None:
    # The writer greenlet rewrites the files every second; one last pass makes them hold the final figures.
    for handle in (writer.requests_csv_filehandle, writer.failures_csv_filehandle, writer.exceptions_csv_filehandle):
        handle.seek(0)
        handle.truncate()
    writer.requests_csv_writer.writerow(writer.requests_csv_columns)
    writer._requests_data_rows(writer.requests_csv_writer)
    writer.failures_csv_writer.writerow(writer.failures_columns)
    writer._failures_data_rows(writer.failures_csv_writer)
    writer.exceptions_csv_writer.writerow(writer.exceptions_columns)
    writer._exceptions_data_rows(writer.exceptions_csv_writer)


def run_load(
    user_class: type,
    *,
    users: int,
    spawn_rate: float,
    run_time: float,
    on_progress: Optional[Callable[[Progress], None]] = None,
    progress_interval: float = 2.0,
    csv_prefix: Optional[str] = None,
    html_file: Optional[str] = None,
    events: Optional[Events] = None,
) -> LoadReport:
    """Run ``users`` of ``user_class`` (a ``B2CUser`` or any Locust user) here for ``run_time`` s; return the report.

    ``events`` defaults to a fresh ``locust.event.Events`` per run: a runner adds listeners to the
    events it is given and never removes them, so runs sharing one would each feed every earlier
    runner's statistics too. Pass your own (with your listeners) to watch each request.
    """
    # A B2CUser's target is built before the first user starts, so a bad configuration fails here, once.
    target = shared_target(user_class) if issubclass(user_class, B2CUser) else None
    env = Environment(user_classes=[user_class], events=events if events is not None else Events())
    runner = env.create_local_runner()
    helpers = []
    writer = None
    if csv_prefix:
        if os.path.dirname(csv_prefix):
            os.makedirs(os.path.dirname(csv_prefix), exist_ok=True)
        writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, csv_prefix, full_history=False)
        helpers.append(gevent.spawn(writer.stats_writer))
    if html_file:
        helpers.append(gevent.spawn(stats_history, runner))  # the HTML report's charts
    started = time.monotonic()
    interrupted = False

    def sleep_until(moment: float) -> None:
        # Against the clock, not the loop's cached time: it can lag by the seconds spent building
        # the target, and a timer set from it would stop the run that much early.
        while (left := moment - time.monotonic()) > 0:
            gevent.sleep(min(left, 0.25))

    def report_progress() -> None:
        last = [(started, 0)]
        tick = started
        while True:
            tick += progress_interval
            if tick >= started + run_time:
                return  # the end of the run is the report's, not a progress line's
            sleep_until(tick)
            if on_progress is not None:
                on_progress(_progress(env, started, users, last))

    def stop_in_time() -> None:
        sleep_until(started + run_time)
        runner.quit()

    def interrupt() -> None:
        nonlocal interrupted
        if interrupted:
            return  # Ctrl-C reaches the child from the terminal and from the CLI: stop once
        interrupted = True
        runner.quit()

    helpers.append(gevent.spawn(report_progress))
    stopper = gevent.spawn(stop_in_time)
    # Ctrl-C (and SIGTERM, SIGHUP) handled by gevent, in a greenlet of its own: otherwise the
    # KeyboardInterrupt lands in whichever user happens to run, with a traceback, and SIGTERM ends the
    # process without a report, instead of stopping the run cleanly with what it has.
    on_signals = ([gevent.signal_handler(sig, interrupt) for sig in _STOP_SIGNALS]
                  if threading.current_thread() is threading.main_thread() else [])
    try:
        runner.start(users, spawn_rate=spawn_rate)
        runner.greenlet.join()
    except KeyboardInterrupt:
        interrupted = True
        runner.quit()
    finally:
        for handler in on_signals:
            handler.cancel()
        stopper.kill(block=False)
        gevent.killall(helpers, block=True, timeout=5)
    duration = min(time.monotonic() - started, run_time) if not interrupted else time.monotonic() - started
    if writer is not None:
        _write_csv_once(writer)
        writer.close_files()
    if html_file:
        if os.path.dirname(html_file):
            os.makedirs(os.path.dirname(html_file), exist_ok=True)
        with open(html_file, "w", encoding="utf-8") as handle:
            handle.write(get_html_report(env, show_download_link=False))
    report = LoadReport.from_stats(env.stats, target=target.describe() if target else user_class.__name__,
                                   users=users, duration_s=duration,
                                   timing=target.timing if target else _default_timing(), interrupted=interrupted)
    env.runner = None  # let a later run in this process create its own runner
    return report


def add_b2c_report(events: Any = None, *, max_failure_ratio: Optional[float] = None,
                   print_fn: Callable[[str], None] = print) -> None:
    """In a locustfile: print connector_sim's table when the run ends and exit 1 over ``max_failure_ratio``."""
    hooks = events if events is not None else default_events

    @hooks.quitting.add_listener
    def _report(environment: Any, **_: Any) -> None:
        if isinstance(environment.runner, WorkerRunner):
            return  # the master holds the aggregated figures
        classes = environment.user_classes or []
        target = _prepared_target(classes)
        stats = environment.stats
        started = getattr(stats, "start_time", None) or time.time()
        duration = max(0.0, (stats.last_request_timestamp or started) - started)
        report = LoadReport.from_stats(stats, target=target.describe() if target else "B2C users",
                                       users=int(getattr(environment.parsed_options, "num_users", 0) or 0),
                                       duration_s=duration, timing=target.timing if target else _default_timing())
        print_fn(report.table())
        if max_failure_ratio is not None:
            environment.process_exit_code = 1 if report.failure_ratio > max_failure_ratio or not report.requests else 0


def _prepared_target(classes: Any) -> Any:
    from .user import _PREPARED

    for cls in classes:
        if cls in _PREPARED:
            return _PREPARED[cls]
    return None


def _default_timing() -> Any:
    from ..timing import timing_profile

    return timing_profile("custom-policy")
