from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_finalists')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Contest',
            name='announce_by_press',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Contest',
            name='feedback_to_entrants',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Assignment',
            name='comment_shared',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
