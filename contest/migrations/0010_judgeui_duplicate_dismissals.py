from tortoise import migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_rounds_notice_approval')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DuplicateDismissal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contest', fields.ForeignKeyField('models.Contest', source_field='contest_id', db_constraint=True, to_field='id', related_name='duplicate_dismissals', on_delete=OnDelete.CASCADE)),
                ('key_a', fields.CharField(max_length=64)),
                ('key_b', fields.CharField(max_length=64)),
                ('note', fields.TextField()),
                ('dismissed_by', fields.ForeignKeyField('models.User', source_field='dismissed_by_id', null=True, db_constraint=True, to_field='id', related_name='duplicate_dismissals', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'duplicate_dismissal', 'app': 'models', 'unique_together': (('contest', 'key_a', 'key_b'),), 'pk_attr': 'id', 'table_description': 'An organiser\'s decision that two images flagged alike are not a duplicate, with the note saying why.\nKeyed by the two image keys in sorted order, so it holds whichever side a later listing puts first.'},
            bases=['Model'],
        ),
    ]
