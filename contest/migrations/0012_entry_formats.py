from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from contest.contests.models import AiPolicy, SlotAudience
from contest.entries.models import FileStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

# Each track's image rules become its first slot, 作品图, and every image moves into it. The old rules were
# per orientation (width, height); a slot's are per edge, so a landscape minimum also admits its portrait.
SLOT_COLUMNS = ("track_id, key, label, label_en, help, help_en, kinds, min_count, max_count, max_mb, min_short_edge, "
                "min_long_edge, max_pages, max_seconds, audience, from_round, position")


def _marks(client, count: int) -> str:
    postgres = client.capabilities.dialect == "postgres"
    return ", ".join(f"${i}" if postgres else "?" for i in range(1, count + 1))


async def tracks_to_slots(apps, schema_editor) -> None:
    client = schema_editor.client
    _, tracks = await client.execute_query(
        "SELECT id, min_images, max_images, min_width, min_height, max_file_mb FROM track")
    for track in tracks:
        short_edge, long_edge = sorted((track["min_width"], track["min_height"]))
        await client.execute_query(
            f"INSERT INTO file_slot ({SLOT_COLUMNS}) VALUES ({_marks(client, 17)})",
            [track["id"], "images", "作品图", "Images", "", "", '["image"]', track["min_images"], track["max_images"],
             track["max_file_mb"], short_edge, long_edge, 5, 300, "public", 0, 0])
    await client.execute_query(
        "UPDATE entry_image SET slot_id = (SELECT file_slot.id FROM file_slot JOIN entry ON entry.track_id = "
        "file_slot.track_id WHERE entry.id = entry_image.entry_id)")


async def slots_to_tracks(apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_query("UPDATE entry_image SET slot_id = NULL")
    await client.execute_query("DELETE FROM file_slot")


class DropTrackColumn(ops.RemoveField):
    """Tortoise drops a column on SQLite by copying the table and dropping the old one, and with foreign keys on
    that DROP TABLE deletes every row that cascades from a track (its fields, tiers and slots). SQLite has had
    ALTER TABLE ... DROP COLUMN since 3.35, which touches nothing else."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None:
            await state_editor.client.execute_script(f'ALTER TABLE "track" DROP COLUMN "{self.name}"')

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None:
            await state_editor.client.execute_script(
                f'ALTER TABLE "track" ADD COLUMN "{self.name}" INT NOT NULL DEFAULT {OLD_DEFAULTS[self.name]}')


OLD_DEFAULTS = {"max_file_mb": 25, "max_images": 10, "min_height": 800, "min_images": 1, "min_width": 1200}


class Migration(migrations.Migration):
    dependencies = [('models', '0011_precision_fingerprints')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FileSlot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('track', fields.ForeignKeyField('models.Track', source_field='track_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=64)),
                ('label', fields.CharField(max_length=100)),
                ('label_en', fields.CharField(default='', db_default='', max_length=100)),
                ('help', fields.TextField(default='', unique=False)),
                ('help_en', fields.TextField(default='', unique=False)),
                ('kinds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('min_count', fields.IntField(default=0, db_default=0)),
                ('max_count', fields.IntField(default=10, db_default=10)),
                ('max_mb', fields.IntField(default=25, db_default=25)),
                ('min_short_edge', fields.IntField(default=0, db_default=0)),
                ('min_long_edge', fields.IntField(default=0, db_default=0)),
                ('max_pages', fields.IntField(default=5, db_default=5)),
                ('max_seconds', fields.IntField(default=300, db_default=300)),
                ('audience', fields.CharEnumField(default=SlotAudience.PUBLIC, description='ORGANISERS: organisers\nJUDGES: judges\nPUBLIC: public', db_default='public', enum_type=SlotAudience, max_length=20)),
                ('from_round', fields.IntField(default=0, db_default=0)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('position', fields.IntField(default=0, db_default=0)),
            ],
            options={'table': 'file_slot', 'app': 'models', 'unique_together': (('track', 'key'),), 'pk_attr': 'id', 'table_description': 'A named place for files in the entry of a track (展板, 照片, 视频, 源文件), with its own rules.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EntryFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('slot', fields.ForeignKeyField('models.FileSlot', source_field='slot_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.RESTRICT)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharField(max_length=10)),
                ('format', fields.CharField(max_length=10)),
                ('position', fields.IntField(default=0, db_default=0)),
                ('original_name', fields.CharField(default='', db_default='', max_length=255)),
                ('size_bytes', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('status', fields.CharEnumField(default=FileStatus.READY, description='PROCESSING: processing\nREADY: ready\nFAILED: failed', enum_type=FileStatus, max_length=12)),
                ('failure', fields.CharField(default='', db_default='', max_length=40)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('provenance', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'entry_file', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A PDF, a video or a source file in one of the slots of an entry. Images are EntryImage rows, and so are the pages'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Declaration',
            name='ai_disclosure',
            field=fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AlterModelOptions(
            name='DuplicateDismissal',
            options={'table': 'duplicate_dismissal', 'app': 'models', 'unique_together': (('contest', 'key_a', 'key_b'),), 'pk_attr': 'id', 'table_description': "An organiser's decision that two images flagged alike are not a duplicate, with the note saying why."},
        ),
        ops.AddField(
            model_name='Entry',
            name='ai_disclosure',
            field=fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='EntryImage',
            name='page',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='EntryImage',
            name='provenance',
            field=fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='EntryImage',
            name='slot',
            field=fields.ForeignKeyField('models.FileSlot', source_field='slot_id', null=True, db_constraint=True, to_field='id', related_name='images', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='EntryImage',
            name='source_file',
            field=fields.ForeignKeyField('models.EntryFile', source_field='source_file_id', null=True, db_constraint=True, to_field='id', related_name='pages', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterModelOptions(
            name='LoginAttempt',
            options={'table': 'login_attempt', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One counted attempt (login, registration, vote code, objection) under one throttle key, so every'},
        ),
        ops.AddField(
            model_name='Track',
            name='ai_policy',
            field=fields.CharEnumField(default=AiPolicy.BANNED, description='BANNED: banned\nDISCLOSE: disclose\nAIGC: aigc', db_default='banned', enum_type=AiPolicy, max_length=20),
        ),
        ops.RunPython(tracks_to_slots, slots_to_tracks),
        DropTrackColumn(model_name='Track', name='max_file_mb'),
        DropTrackColumn(model_name='Track', name='max_images'),
        DropTrackColumn(model_name='Track', name='min_height'),
        DropTrackColumn(model_name='Track', name='min_images'),
        DropTrackColumn(model_name='Track', name='min_width'),
    ]
