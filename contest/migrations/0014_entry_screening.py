from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_round_ai_labels')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Entry',
            name='screening_reason',
            field=fields.TextField(default='', db_default=''),
        ),
        ops.AddField(
            model_name='Entry',
            name='screened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Entry',
            name='fix_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
