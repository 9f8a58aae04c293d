from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0020_held_uploads')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Session',
            name='idle_seconds',
            field=fields.IntField(db_default=1800),
        ),
    ]
