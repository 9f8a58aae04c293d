from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_ceremony_feedback')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MeetingSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('models.Round', source_field='round_id', unique=True, db_constraint=True, to_field='id', related_name='meetings', on_delete=OnDelete.CASCADE)),
                ('chair', fields.ForeignKeyField('models.User', source_field='chair_id', null=True, db_constraint=True, to_field='id', related_name='meetings_chaired', on_delete=OnDelete.SET_NULL)),
                ('screen_token', fields.CharField(unique=True, max_length=64)),
                ('pitch_seconds', fields.IntField(default=0, db_default=0)),
                ('questions_seconds', fields.IntField(default=0, db_default=0)),
                ('position', fields.IntField(default=-1, db_default=-1)),
                ('timer_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=0, db_default=0)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('chain_head', fields.CharField(default='', db_default='', max_length=100)),
            ],
            options={'table': 'meeting_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One per round. `version` moves with every change the chair makes, so screens know they are behind.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GradeVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.MeetingSession', source_field='session_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='grade_votes', on_delete=OnDelete.CASCADE)),
                ('choices', fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_tier', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_grade_vote', 'app': 'models', 'pk_attr': 'id', 'table_description': "The chair put an entry's grade to the judges present. `choices`: award tier ids, 0 for no award."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GradeBallot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('vote', fields.ForeignKeyField('models.GradeVote', source_field='vote_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('judge', fields.ForeignKeyField('models.User', source_field='judge_id', db_constraint=True, to_field='id', related_name='grade_ballots', on_delete=OnDelete.CASCADE)),
                ('choice', fields.IntField()),
                ('cast_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_grade_ballot', 'app': 'models', 'unique_together': (('vote', 'judge'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.MeetingSession', source_field='session_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.Entry', source_field='entry_id', db_constraint=True, to_field='id', related_name='meeting_items', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('revealed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('figures', fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'meeting_item', 'app': 'models', 'unique_together': (('session', 'entry'),), 'pk_attr': 'id', 'table_description': "An entry in the session's order. `figures` is what the room was shown at its last reveal."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rescore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.MeetingItem', source_field='item_id', db_constraint=True, to_field='id', related_name='rescores', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='rescores', on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_rescore', 'app': 'models', 'pk_attr': 'id', 'table_description': "The chair reopened an entry for scoring: the judges' submissions of it were withdrawn."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Round',
            name='live_entry_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Round',
            name='paced_by_chair',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='RoundEntry',
            name='reached_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
