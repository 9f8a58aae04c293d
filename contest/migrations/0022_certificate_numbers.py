from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_session_idle')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Contest',
            name='certificate_number_pattern',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Contest',
            name='certificate_issuers',
            field=fields.TextField(default='', db_default=''),
        ),
        ops.AddField(
            model_name='Contest',
            name='certificate_english',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Award',
            name='certificate_number',
            field=fields.CharField(null=True, max_length=120, db_index=True),
        ),
        ops.AddField(
            model_name='Award',
            name='certificate_seq',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Award',
            name='certificate_token',
            field=fields.CharField(null=True, max_length=32, unique=True),
        ),
    ]
