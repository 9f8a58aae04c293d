from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0004_assignment_judge_index')]

    initial = False

    # Existing events keep hashing rule 1 (their hashes, and every head published, stay valid); new ones get 2.
    operations = [
        ops.AddField(
            model_name='AuditEvent',
            name='version',
            field=fields.SmallIntField(db_default=1),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='secret',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
    ]
