from tortoise import migrations
from tortoise.migrations import operations as ops
from json import dumps, loads
import functools
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_audit_chain_version_and_outbox_secret')]

    initial = False

    operations = [
        ops.AddField(
            model_name='EntryImage',
            name='ocr_lines',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
