from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

FINGERPRINT_LENGTH = 1700


class WidenFingerprint(ops.AlterField):
    """Fingerprints "v2" add regions and saturation and luma parts (1,625 characters, was 399). SQLite does not enforce a VARCHAR's
    length, so only PostgreSQL's column changes. Stored "v1" fingerprints stay valid: they are compared on
    value alone (contest.media.similarity)."""

    table = ""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await state_editor._run_sql(
                f'ALTER TABLE "{self.table}" ALTER COLUMN "phash" TYPE VARCHAR({FINGERPRINT_LENGTH})')

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await state_editor._run_sql(f'ALTER TABLE "{self.table}" ALTER COLUMN "phash" TYPE VARCHAR(400)')


class WidenEntryImage(WidenFingerprint):
    table = "entry_image"


class WidenReferenceImage(WidenFingerprint):
    table = "reference_image"


class Migration(migrations.Migration):
    dependencies = [('models', '0010_judgeui_duplicate_dismissals')]

    initial = False

    operations = [
        WidenEntryImage(
            model_name='EntryImage',
            name='phash',
            field=fields.CharField(max_length=FINGERPRINT_LENGTH, default='', db_default=''),
        ),
        WidenReferenceImage(
            model_name='ReferenceImage',
            name='phash',
            field=fields.CharField(max_length=FINGERPRINT_LENGTH),
        ),
    ]
