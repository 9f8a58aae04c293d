from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_leaks_image_text')]

    initial = False

    operations = [
        ops.AddField(
            model_name='EntrantProfile',
            name='phone',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
