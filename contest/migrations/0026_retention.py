from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0025_privacy_notice')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Contest',
            name='retention_days',
            field=fields.IntField(default=1095, db_default=1095),
        ),
        ops.AddField(
            model_name='Contest',
            name='purged_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
