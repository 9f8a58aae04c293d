from tortoise import migrations
from tortoise.migrations import operations as ops
from contest.notifications.models import OutboxState
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_round_method')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MessageTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contest', fields.ForeignKeyField('models.Contest', source_field='contest_id', db_constraint=True, to_field='id', related_name='message_templates', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('subject_zh', fields.CharField(max_length=300)),
                ('body_zh', fields.TextField(unique=False)),
                ('subject_en', fields.CharField(default='', max_length=300)),
                ('body_en', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='message_templates', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'message_template', 'app': 'models', 'unique_together': (('contest', 'kind'),), 'pk_attr': 'id', 'table_description': 'The wording organisers chose for one kind of message of one contest, in Chinese and in English.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='state',
            field=fields.CharEnumField(default=OutboxState.QUEUED, description='QUEUED: queued\nSENDING: sending\nSENT: sent\nFAILED: failed', db_default='queued', enum_type=OutboxState, max_length=10),
        ),
    ]
