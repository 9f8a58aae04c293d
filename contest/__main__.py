"""`contest serve|migrate|check|worker|send-outbox|demo|create-organiser|bundle|verify-bundle|audit-head|purge|backup|restore`
(thin: the work lives in app, db, demo, tasks, the console and the domain packages)."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import json
import os
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from tortoise import Tortoise

from contest import i18n
from contest.db import apply_migrations, settings_config
from contest.errors import ContestError, InvalidInput, NotFound
from contest.i18n import N_
from contest.settings import ConfigurationError, Settings, load_settings

if TYPE_CHECKING:
    from contest.console.purge import Summary
    from contest.notifications.sender import Transport


T = TypeVar("T")


async def _with_database(settings: Settings, work: Callable[[], Awaitable[T]], *, jobs: bool = True) -> T:
    """The database, and its job queue (a message the work puts in the outbox gets its job there). `jobs=False`
    for work that queues nothing (`check` must not open a pool that reports its own failures to connect)."""
    from contest.jobs import queue

    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
        if not jobs:
            return await work()
        async with queue.opened(settings.database_url):
            return await work()
    finally:
        await Tortoise.close_connections()


def _print_accounts(accounts: list[tuple[str, str, str]]) -> None:
    print("\nDemo accounts (development mode only) — 演示账号（仅限开发模式）:")
    for role, email, password in accounts:
        print(f"  {role:<10} {email:<32} {password}")
    print()


async def _seed_demo(settings: Settings, *, only_if_empty: bool) -> None:
    from contest import demo

    accounts = await _with_database(settings, lambda: demo.seed(settings, only_if_empty=only_if_empty))
    if accounts:
        _print_accounts(accounts)


async def _sweep_uploads(settings: Settings) -> None:
    from contest.console.upload_sweep import sweep_store
    from contest.media.stores import open_store

    removed = await sweep_store(open_store(settings))
    if removed:
        print(f"Removed {removed} unfinished upload file(s) left by an earlier stop.", flush=True)


def _migrate(settings: Settings) -> None:
    """Schema migrations; the data they leave to do (fingerprints of a new hash version) is a job queued at start."""
    asyncio.run(apply_migrations(settings))


PORT_IN_USE = N_("Port {port} is already in use: another program is listening on it. Stop that program, or start "
                 "on another port: contest serve --port {next} (make demo PORT={next}).")
CANNOT_LISTEN = N_("Cannot listen on {host}:{port}: {reason}.")


def cli_locale(env: Mapping[str, str] = os.environ) -> str:
    """The language of the terminal (LC_ALL, LC_MESSAGES, LANG as POSIX orders them); Chinese when unset or C."""
    value = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    return i18n.negotiate(None, value.split(".")[0].replace("_", "-"))


def _bind(host: str, port: int) -> socket.socket:
    from contest.web.infra.server import bound_socket

    try:
        return bound_socket(host, port)
    except OSError as exc:
        locale = cli_locale()
        if exc.errno == errno.EADDRINUSE:
            message = i18n.translate(locale, PORT_IN_USE, port=port, next=port + 1)
        else:
            message = i18n.translate(locale, CANNOT_LISTEN, host=host, port=port, reason=exc.strerror or exc)
        print(f"contest: {message}", file=sys.stderr)
        sys.exit(1)


def cmd_serve(args: argparse.Namespace) -> None:
    from contest.web.infra.server import run, serve_config

    if args.demo:
        os.environ["CONTEST_DEMO"] = "1"
    if args.workers:
        os.environ["CONTEST_WORKERS"] = str(args.workers)
    os.environ.setdefault("CONTEST_PUBLIC_URL", f"http://{args.host}:{args.port}")  # development (production sets it)
    settings = load_settings()
    sock = _bind(args.host, args.port)  # before the demo is built: a port clash is told at once
    _migrate(settings)
    asyncio.run(_with_database(settings, lambda: _sweep_uploads(settings)))
    if settings.demo:
        print("Preparing the demo contests (images are generated on first start)…", flush=True)
        asyncio.run(_seed_demo(settings, only_if_empty=True))
    if settings.workers > 1:  # each worker, and the job worker started next, counts into files that /metrics adds up
        from contest import metrics

        metrics.use_multiprocess_dir(settings.data_dir / "prometheus")
    if not (settings.uses_sqlite or args.no_worker):
        _start_worker()
    config = serve_config(settings, host=args.host, port=args.port)
    run(config, sock, announcement=f"文创赛 serving on http://{args.host}:{args.port}/")


def _start_worker() -> None:
    """On PostgreSQL, one `contest worker` process beside the web workers, stopped when serve stops (more run on
    other machines; serve --no-worker leaves the jobs to them)."""
    import atexit
    import subprocess

    command = [sys.executable, "-m", "contest", "worker", "--parent-pid", str(os.getpid())]
    worker = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    atexit.register(worker.terminate)


async def _stop_when_orphaned(parent: int, stop: asyncio.Event) -> None:
    # uvicorn ends on SIGTERM by raising the signal again, which skips atexit: so notice the parent is gone.
    while not stop.is_set() and os.getppid() == parent:  # noqa: ASYNC110 - no event says the parent is gone; poll
        await asyncio.sleep(1)
    stop.set()


async def _send_outbox(settings: Settings, *, once: bool, parent: int) -> None:
    import signal

    from contest import clock
    from contest.notifications import sender

    transport = _transport(settings)
    if once:
        outcomes = await sender.send_due(transport, sender=settings.smtp_from, now=clock.now(), limit=10_000)
        print(", ".join(f"{state}: {count}" for state, count in sorted(outcomes.items())) or "Nothing was due.")
        return
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    watcher = asyncio.create_task(_stop_when_orphaned(parent, stop)) if parent else None
    where = f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else f"the folder {settings.mail_dir}"
    print(f"Sending the outbox through {where}.", flush=True)
    await sender.run_sender(transport, sender=settings.smtp_from, stop=stop)
    if watcher:
        await watcher


def _transport(settings: Settings) -> Transport:
    from contest.notifications import sender

    transport = sender.transport_for(settings)
    if transport is None:
        raise ConfigurationError("neither CONTEST_SMTP_HOST nor CONTEST_MAIL_DIR is set; messages stay in the outbox.")
    return transport


def cmd_send_outbox(args: argparse.Namespace) -> None:
    import logging.config

    from contest.logs import logging_config

    settings = load_settings()
    logging.config.dictConfig(logging_config(debug=settings.debug))
    if not (settings.smtp_host or settings.mail_dir):
        print("contest: neither CONTEST_SMTP_HOST nor CONTEST_MAIL_DIR is set; messages stay in the outbox.",
              file=sys.stderr)
        sys.exit(2)
    asyncio.run(_with_database(settings, lambda: _send_outbox(settings, once=args.once, parent=args.parent_pid)))


async def _work(settings: Settings, *, concurrency: int, once: bool, parent: int) -> None:
    import signal

    from contest import tasks

    await tasks.queue_left_work(settings)
    if once:
        await tasks.run_until_empty(settings)
        return
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    watcher = asyncio.create_task(_stop_when_orphaned(parent, stop)) if parent else None
    print(f"Worker taking jobs from the queue in {settings.database_url.split('@')[-1]}.", flush=True)
    async with tasks.worker_running(settings, concurrency=concurrency):
        await stop.wait()
    if watcher:
        await watcher


def cmd_worker(args: argparse.Namespace) -> None:
    settings = load_settings()
    if settings.uses_sqlite:
        print("contest: on SQLite the web process runs its jobs itself; contest worker needs PostgreSQL "
              "(CONTEST_DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    asyncio.run(_with_database(settings, lambda: _work(
        settings, concurrency=args.concurrency, once=args.once, parent=args.parent_pid)))


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    _migrate(settings)
    print("Migrations applied.")


CHECKS_PASSED = N_("OK: nothing to fix ({checks}).")
CHECK_FAILED = N_("{count} problem(s) to fix before serving:")


def cmd_check(args: argparse.Namespace) -> None:
    from contest.console import checks

    settings = load_settings(check=False)  # every problem is listed, not only the first
    found = asyncio.run(_with_database(settings, lambda: checks.run_checks(settings), jobs=False))
    problems = [problem for listed in found.values() for problem in listed]
    locale = cli_locale()
    if not problems:
        print(i18n.translate(locale, CHECKS_PASSED, checks=", ".join(found)))
        return
    print(i18n.translate(locale, CHECK_FAILED, count=len(problems)), file=sys.stderr)
    for problem in problems:
        print(f"- {problem.text(locale)}", file=sys.stderr)
    sys.exit(1)


def cmd_demo(args: argparse.Namespace) -> None:
    settings = load_settings(demo=True)
    asyncio.run(apply_migrations(settings))
    asyncio.run(_seed_demo(settings, only_if_empty=False))


def cmd_create_organiser(args: argparse.Namespace) -> None:
    from contest.accounts import service

    settings = load_settings()
    password = os.environ.get("CONTEST_ORGANISER_PASSWORD") or getpass.getpass("Password: ")
    asyncio.run(apply_migrations(settings))
    asyncio.run(_with_database(settings, lambda: service.create_organiser(args.email, password)))
    print(f"Organiser {args.email} is ready.")


def cmd_payout_key(args: argparse.Namespace) -> None:
    from contest.results.sealing import new_key

    print(new_key())


def cmd_i18n(args: argparse.Namespace) -> None:
    from contest.i18n_catalog import update_catalogs

    print(update_catalogs())


async def _export_bundle(round_id: int) -> dict:
    from contest import clock
    from contest.judging import queries
    from contest.results import bundle

    round_ = await queries.round_by_id(round_id)
    if round_ is None:
        raise NotFound(f"There is no round {round_id}.")
    return await bundle.build_bundle(round_, now=clock.now())


def cmd_bundle(args: argparse.Namespace) -> None:
    from contest.results import bundle

    settings = load_settings()
    try:
        data = asyncio.run(_with_database(settings, lambda: _export_bundle(args.round_id)))
    except ContestError as exc:
        print(f"contest: {exc.message}", file=sys.stderr)
        sys.exit(2)
    path = args.output or Path(f"round-{args.round_id}-results.json")
    path.write_bytes(bundle.dumps(data))
    print(f"Results bundle of round {args.round_id} written to {path}")


def _read_bundle(path: Path) -> dict:
    data = json.loads(path.read_bytes())
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    return data


def cmd_verify_bundle(args: argparse.Namespace) -> None:
    from contest.results import bundle

    try:
        data = _read_bundle(args.file)
    except (OSError, ValueError, TypeError) as exc:
        problems = [f"{args.file} is not a results bundle: {exc}"]
    else:
        problems = bundle.verify_bundle(data)
        if not args.offline:
            problems += asyncio.run(_with_database(load_settings(), lambda: bundle.verify_against_database(data)))
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("OK")


HEAD_PROBLEMS = {
    "head_missing": "the audit log has no event {seq}: it was cut short before the head written down",
    "head_mismatch": "audit event {seq} does not carry the hash written down: an event up to it was changed, "
                     "removed or added since",
}


def cmd_audit_head(args: argparse.Namespace) -> None:
    from contest.audit import chain, queries

    settings = load_settings()
    if args.verify is None:
        print(asyncio.run(_with_database(settings, queries.current_head)))
        return
    try:
        head = chain.parse_head(args.verify)
    except ValueError as exc:
        print(f"contest: {exc}", file=sys.stderr)
        sys.exit(2)
    status = asyncio.run(_with_database(settings, lambda: queries.verify_whole_log(head)))
    if not status.ok:
        problem = HEAD_PROBLEMS.get(status.reason or "", "the audit chain is broken at event {seq}: {reason}")
        print(problem.format(seq=status.broken_seq, reason=status.reason))
        sys.exit(1)
    print(f"OK: events 1 to {head.seq} are unchanged, and all {status.count} events of today's log link up after them.")


def purge_lines(summary: Summary, *, dry_run: bool) -> list[str]:
    """The purge's summary in Chinese and English, one line a count."""
    head = "将要匿名化 / would anonymise" if dry_run else "已匿名化 / anonymised"
    names = (("contests", "大赛 / contests"), ("entries", "作品 / entries"), ("objections", "异议 / objections"),
             ("voters", "投票人 / voters"), ("accounts", "账号 / accounts"))
    return [f"{head}:"] + [f"  {label}: {getattr(summary, name)}" for name, label in names]


def cmd_purge(args: argparse.Namespace) -> None:
    from contest import clock
    from contest.console import purge
    from contest.media.stores import open_store

    settings = load_settings()
    now = clock.now()
    if args.dry_run:
        summary = asyncio.run(_with_database(settings, lambda: purge.plan(now)))
    else:
        summary = asyncio.run(_with_database(settings, lambda: purge.purge(open_store(settings), now)))
    print("\n".join(purge_lines(summary, dry_run=args.dry_run)))


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def cmd_backup(args: argparse.Namespace) -> None:
    from contest import clock
    from contest.console import backup

    settings, locale = load_settings(), cli_locale()
    try:
        done = asyncio.run(backup.back_up(settings, args.folder.resolve(), now=clock.now(), keep=args.keep))
    except backup.BackupRefused as exc:
        print(f"contest: {i18n.translate(locale, exc.message, **exc.params)}", file=sys.stderr)
        sys.exit(1)
    print(i18n.translate(locale, backup.WRITTEN, path=done.path, database=_megabytes(done.database_bytes),
                         files=done.files, new=done.new_files, copied=_megabytes(done.new_bytes)))
    if args.keep is not None:
        print(i18n.translate(locale, backup.PRUNED, snapshots=done.removed_snapshots, objects=done.removed_objects))


def cmd_restore(args: argparse.Namespace) -> None:
    from contest.console import backup

    # a placeholder key, so that settings do not make up a development key file the snapshot brings back
    settings, locale = load_settings(secret_key=os.environ.get("CONTEST_SECRET_KEY") or "restoring"), cli_locale()
    try:
        done = asyncio.run(backup.restore(settings, args.snapshot.resolve()))
    except backup.BackupRefused as exc:
        print(f"contest: {i18n.translate(locale, exc.message, **exc.params)}", file=sys.stderr)
        sys.exit(1)
    print(i18n.translate(locale, backup.RESTORED, path=done.path, files=done.files))
    if not backup.secret_matches(load_settings(), done.secret_fingerprint):
        print(i18n.translate(locale, backup.OTHER_KEY))


def _at_least_one(value: str) -> int:
    if int(value) < 1:
        raise argparse.ArgumentTypeError("keep at least one snapshot")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contest", description="文创赛 — a design contest system")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, then run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0)
    serve.add_argument("--demo", action="store_true", help="seed the demo contests when the database is empty")
    serve.add_argument("--no-worker", action="store_true",
                       help="on PostgreSQL, start no job worker beside the web server (workers run elsewhere)")
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    worker = commands.add_parser("worker", help="run jobs (transcodes, e-mail, fingerprints) from the PostgreSQL queue")
    worker.add_argument("--concurrency", type=int, default=2, help="jobs run at once (default 2)")
    worker.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
    worker.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # stop when serve stops
    worker.set_defaults(run=cmd_worker)
    outbox = commands.add_parser("send-outbox", help="send queued messages by SMTP (CONTEST_SMTP_HOST), with retries")
    outbox.add_argument("--once", action="store_true", help="send what is due now and exit (for cron)")
    outbox.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # stop when serve stops
    outbox.set_defaults(run=cmd_send_outbox)
    commands.add_parser("check", help="check a production configuration and the services it names; exits 1 when "
                        "a problem is found").set_defaults(run=cmd_check)
    commands.add_parser("demo", help="(re)build the demo contests").set_defaults(run=cmd_demo)
    organiser = commands.add_parser("create-organiser", help="create or reset a site organiser")
    organiser.add_argument("email")
    organiser.set_defaults(run=cmd_create_organiser)
    export = commands.add_parser("bundle", help="export the results bundle of a locked round")
    export.add_argument("round_id", type=int)
    export.add_argument("-o", "--output", type=Path, help="file to write (default: round-ROUND_ID-results.json)")
    export.set_defaults(run=cmd_bundle)
    verify = commands.add_parser("verify-bundle", help="verify a results bundle; exits 1 when a problem is found")
    verify.add_argument("file", type=Path)
    verify.add_argument("--offline", action="store_true", help="check the bundle alone, without the database")
    verify.set_defaults(run=cmd_verify_bundle)
    head = commands.add_parser("audit-head", help="print the audit chain's head (seq:hash) to write down or publish")
    head.add_argument("--verify", metavar="HEAD", help="check that the log still passes through a head written down "
                      "earlier and that nothing up to it changed; exits 1 when it does not")
    head.set_defaults(run=cmd_audit_head)
    purge = commands.add_parser("purge", help="anonymise personal data of contests past their retention period "
                                "(docs/privacy.md)")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be anonymised")
    purge.set_defaults(run=cmd_purge)
    backup = commands.add_parser("backup", help="write a snapshot of the database and every stored file into FOLDER "
                                 "(incremental: only new files are copied)")
    backup.add_argument("folder", type=Path)
    backup.add_argument("--keep", type=_at_least_one, metavar="N", help="then remove all but the newest N snapshots "
                        "and the files only they needed")
    backup.set_defaults(run=cmd_backup)
    restore = commands.add_parser("restore", help="rebuild an empty installation from a snapshot (or a backup "
                                  "folder's newest)")
    restore.add_argument("snapshot", type=Path)
    restore.set_defaults(run=cmd_restore)
    commands.add_parser("i18n", help="update the message catalogs from code and templates").set_defaults(run=cmd_i18n)
    commands.add_parser("payout-key", help="print a new key for CONTEST_PAYOUT_KEY (sealing prize winners' ID and "
                        "bank account numbers)").set_defaults(run=cmd_payout_key)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except ConfigurationError as exc:
        print(f"contest: {exc}", file=sys.stderr)
        sys.exit(2)
    except InvalidInput as exc:
        for field, message in exc.field_errors.items():
            print(f"contest: {field}: {message}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
