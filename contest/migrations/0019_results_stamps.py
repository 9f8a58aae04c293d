from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0018_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResultsReader',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('seen', fields.BigIntField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'results_reader', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A serving process whose page cache trusts its memory while its lease lasts: the version it has applied.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ResultsStamp',
            fields=[
                ('contest_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('generation', fields.BigIntField()),
            ],
            options={'table': 'results_stamp', 'app': 'models', 'pk_attr': 'contest_id', 'table_description': "A contest's results generation, for the signal through the database (contest.cache_stamp_db)."},
            bases=['Model'],
        ),
    ]
