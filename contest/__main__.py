"""`contest serve|migrate|send-outbox|demo|create-organiser|bundle|verify-bundle|audit-head` (thin: the work lives in
app, db, demo and the domain packages)."""

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
    from contest.notifications.sender import Transport


T = TypeVar("T")


async def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    await Tortoise.init(config=settings_config(settings), _enable_global_fallback=True)
    try:
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


async def _rehash_images(settings: Settings) -> None:
    from contest.entries.duplicates import rehash_stored_images
    from contest.media.stores import open_store

    updated = await rehash_stored_images(open_store(settings))
    if updated:
        print(f"Re-hashed {updated} image(s) for the near-duplicate check.", flush=True)


def _migrate(settings: Settings) -> None:
    """Schema migrations, then the data they leave to do (fingerprints of a new hash version)."""
    asyncio.run(apply_migrations(settings))
    asyncio.run(_with_database(settings, lambda: _rehash_images(settings)))


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
    _start_outbox_sender(settings)
    config = serve_config(settings, host=args.host, port=args.port)
    run(config, sock, announcement=f"文创赛 serving on http://{args.host}:{args.port}/")


def _start_outbox_sender(settings: Settings) -> None:
    """One sender process beside the web workers (however many there are), stopped when serve stops."""
    if not (settings.smtp_host or settings.mail_dir):
        return
    import atexit
    import subprocess

    command = [sys.executable, "-m", "contest", "send-outbox", "--parent-pid", str(os.getpid())]
    sender = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    atexit.register(sender.terminate)


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

    if settings.smtp_host:
        return sender.SmtpTransport(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password)
    if settings.mail_dir:
        return sender.MaildirTransport(settings.mail_dir)
    raise ConfigurationError("neither CONTEST_SMTP_HOST nor CONTEST_MAIL_DIR is set; messages stay in the outbox.")


def cmd_send_outbox(args: argparse.Namespace) -> None:
    settings = load_settings()
    if not (settings.smtp_host or settings.mail_dir):
        print("contest: neither CONTEST_SMTP_HOST nor CONTEST_MAIL_DIR is set; messages stay in the outbox.",
              file=sys.stderr)
        sys.exit(2)
    asyncio.run(_with_database(settings, lambda: _send_outbox(settings, once=args.once, parent=args.parent_pid)))


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    _migrate(settings)
    print("Migrations applied.")


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contest", description="文创赛 — a design contest system")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, then run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0)
    serve.add_argument("--demo", action="store_true", help="seed the demo contests when the database is empty")
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    outbox = commands.add_parser("send-outbox", help="send queued messages by SMTP (CONTEST_SMTP_HOST), with retries")
    outbox.add_argument("--once", action="store_true", help="send what is due now and exit (for cron)")
    outbox.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # stop when serve stops
    outbox.set_defaults(run=cmd_send_outbox)
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
    commands.add_parser("i18n", help="update the message catalogs from code and templates").set_defaults(run=cmd_i18n)
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
