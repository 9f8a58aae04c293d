from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_entry_formats')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Round',
            name='judges_see_ai_labels',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
