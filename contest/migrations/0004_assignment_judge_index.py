from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_message_templates')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Assignment',
            index=Index(fields=['judge_id', 'round_id']),
        ),
    ]
