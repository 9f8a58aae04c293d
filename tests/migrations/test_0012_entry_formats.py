"""Migration 0012 turns each track's image rules into its first slot, without losing a row on the way."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

from tests import pg

pytestmark = [pytest.mark.unit, pytest.mark.any_database]

PG_URL = os.environ.get("CONTEST_TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"

# Rows as a contest had them before 0012: a track with its own image rules, a form field, a tier, an entry
# with an image. Written with plain SQL because the models no longer have those columns.
BEFORE = [
    ("INSERT INTO contest (id, slug, title, title_en, tagline, tagline_en, guiding_bodies, host_bodies, "
    "organising_bodies, organisers_text, rules_md, rules_md_en, time_zone, notice_days, popular_vote_enabled, "
    "popular_vote_daily_quota, popular_vote_share, max_entries_per_designer, max_bytes_per_designer, is_published, "
    "poster_key, created_at) VALUES (1, 'c', '大赛', '', '', '', '', '', '', '', '', '', 'Asia/Shanghai', 0, FALSE, 3, "
    "0, 20, 1000, TRUE, '', '2026-01-01T00:00:00+00:00')"),
    ("INSERT INTO track (id, contest_id, slug, name, name_en, description, description_en, position, min_images, "
    "max_images, min_width, min_height, max_file_mb) VALUES (1, 1, 'ip', 'IP', '', '', '', 0, 2, 7, 1200, 800, 20)"),
    ("INSERT INTO track_field (track_id, key, kind, label, label_en, help, help_en, required, options, max_length, "
    "position) VALUES (1, 'k', 'text', 'K', '', '', '', TRUE, '[]', 0, 0)"),
    ("INSERT INTO award_tier (contest_id, track_id, name, name_en, rank, quota, is_special) "
    "VALUES (1, 1, '金奖', '', 1, 1, FALSE)"),
    ("INSERT INTO \"user\" (id, email, password_hash, display_name, is_active, created_at) "
    "VALUES (1, 'a@example.org', 'x', 'A', TRUE, '2026-01-01T00:00:00+00:00')"),
    ("INSERT INTO entry (id, contest_id, track_id, owner_id, state, title, concept, answers, entrant_kind, "
    "entrant_category, public_name, organisation, school, supervisor_name, supervisor_email, leak_status, created_at, "
    "updated_at) VALUES (1, 1, 1, 1, 'draft', 'T', '', '{}', 'individual', 'worker', '', '', '', '', '', 'unchecked', "
    "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"),
    ("INSERT INTO entry_image (entry_id, key, position, is_cover, original_name, original_format, width, height, "
    "size_bytes, sha256, phash, derivatives, created_at) VALUES (1, 'k1', 0, TRUE, 'a.jpg', 'JPEG', 10, 10, 1, 's', "
    "'', '{}', '2026-01-01T00:00:00+00:00')"),
]
AFTER = {
    "SELECT key, label, kinds, min_count, max_count, max_mb, min_short_edge, min_long_edge FROM file_slot":
        [("images", "作品图", '["image"]', 2, 7, 20, 800, 1200)],
    "SELECT count(*) FROM track_field": [(1,)],
    "SELECT count(*) FROM award_tier": [(1,)],
    "SELECT slot_id FROM entry_image": [(1,)],
    "SELECT ai_policy FROM track": [("banned",)],
}

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate
    from contest.db import tortoise_config

    async def main(url, before, after):
        config = tortoise_config(url)
        await migrate(config=config, target="models.0011_precision_fingerprints")
        await Tortoise.init(config=config)
        connection = Tortoise.get_connection("default")
        for sql in before:
            await connection.execute_script(sql)
        await Tortoise.close_connections()
        await migrate(config=config)
        await Tortoise.init(config=config)
        connection = Tortoise.get_connection("default")
        found = {}
        for sql in after:
            _, rows = await connection.execute_query(sql)
            found[sql] = [list(row.values()) if hasattr(row, "values") else list(row) for row in rows]
        await Tortoise.close_connections()
        print(json.dumps(found))

    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])))
""")


def _migrate_with_rows(url: str, tmp_path) -> dict[str, list[tuple]]:
    import json

    result = subprocess.run([sys.executable, "-c", SCRIPT, url, json.dumps(BEFORE), json.dumps(list(AFTER))],
                            env={**os.environ, "CONTEST_DATA_DIR": str(tmp_path)}, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return {sql: [tuple(row) for row in rows] for sql, rows in found.items()}


def test_sqlite_keeps_every_row_and_moves_track_rules_into_a_slot(tmp_path):
    assert _migrate_with_rows(f"sqlite://{tmp_path}/old.sqlite3", tmp_path) == AFTER


def test_postgres_keeps_every_row_and_moves_track_rules_into_a_slot(tmp_path):
    if not asyncio.run(pg.reachable(PG_URL)):
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    url = asyncio.run(pg.create_database(PG_URL, f"contest_m0012_{os.getpid()}"))
    try:
        assert _migrate_with_rows(url, tmp_path) == AFTER
    finally:
        asyncio.run(pg.drop_database(PG_URL, url))
