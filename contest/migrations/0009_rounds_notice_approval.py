from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class WidenNoticeDays(ops.AlterField):
    """Days of notice may be a fraction (0.25 = 6 hours). SQLite keeps 0.25 in an INT column as a REAL (it
    converts only values that are whole), so only PostgreSQL's column changes type."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await state_editor._run_sql('ALTER TABLE "contest" ALTER COLUMN "notice_days" TYPE DOUBLE PRECISION')

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await state_editor._run_sql('ALTER TABLE "contest" ALTER COLUMN "notice_days" TYPE INT USING ROUND("notice_days")')


class Migration(migrations.Migration):
    dependencies = [('models', '0008_accounts_password_reset')]

    initial = False

    operations = [
        WidenNoticeDays(
            model_name='Contest',
            name='notice_days',
            field=fields.FloatField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Notice',
            name='approved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notice',
            name='approved_by',
            field=fields.ForeignKeyField('models.User', source_field='approved_by_id', null=True, db_constraint=True, to_field='id', related_name='notices_approved', on_delete=fields.OnDelete.SET_NULL),
        ),
    ]
