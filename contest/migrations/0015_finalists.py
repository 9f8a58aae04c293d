from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from contest.finalists.models import Disposition
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_entry_screening')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Forfeit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('models.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='forfeits', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='forfeits', on_delete=OnDelete.CASCADE)),
                ('alias', fields.CharField(max_length=16)),
                ('reason', fields.TextField(unique=False)),
                ('missing', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('replaced_by', fields.ForeignKeyField('models.Entry', source_field='replaced_by_id', null=True, db_constraint=True, to_field='id', related_name='replacements', on_delete=OnDelete.SET_NULL)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='forfeits_decided', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forfeit', 'app': 'models', 'unique_together': (('round', 'entry'),), 'pk_attr': 'id', 'table_description': "A finalist's place given up for a missing task, as an organiser confirmed it, and who moved up."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sample',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('models.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='samples', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='samples', on_delete=OnDelete.CASCADE)),
                ('courier', fields.CharField(default='', db_default='', max_length=100)),
                ('tracking_number', fields.CharField(default='', db_default='', max_length=100)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('arrived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('photo_key', fields.CharField(default='', db_default='', max_length=64)),
                ('condition', fields.TextField(default='', unique=False)),
                ('location', fields.CharField(default='', db_default='', max_length=200)),
                ('disposition', fields.CharEnumField(default=Disposition.PENDING, description='PENDING: pending\nRETURNED: returned\nRETAINED: retained', db_default='pending', enum_type=Disposition, max_length=20)),
                ('disposed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sample', 'app': 'models', 'unique_together': (('round', 'entry'),), 'pk_attr': 'id', 'table_description': "A finalist's physical sample for a round: the dispatch the designer gave, then its arrival and keeping as"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Contest',
            name='missing_task_forfeits',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Track',
            name='sample_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Track',
            name='sample_instructions',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Track',
            name='sample_instructions_en',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Track',
            name='sample_required',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
