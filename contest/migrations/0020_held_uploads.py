from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from contest.entries.models import HeldStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_results_stamps')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HeldUpload',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='held_uploads', on_delete=OnDelete.CASCADE)),
                ('slot', fields.ForeignKeyField('models.FileSlot', source_field='slot_id', db_constraint=True, to_field='id', related_name='held_uploads', on_delete=OnDelete.CASCADE)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', db_constraint=True, to_field='id', related_name='held_uploads', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharField(max_length=10)),
                ('original_name', fields.CharField(default='', db_default='', max_length=255)),
                ('size_bytes', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('provenance', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('read_text', fields.BooleanField(default=True, db_default=True)),
                ('status', fields.CharEnumField(default=HeldStatus.PROCESSING, description='PROCESSING: processing\nFAILED: failed', enum_type=HeldStatus, max_length=12)),
                ('failure', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'held_upload', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An image or a PDF whose original is stored while a job makes its derivatives (docs/jobs.md). The job'},
            bases=['Model'],
        ),
    ]
