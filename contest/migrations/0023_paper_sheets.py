from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0022_certificate_numbers')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Assignment',
            name='entered_by',
            field=fields.ForeignKeyField('models.User', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='paper_sheets_entered', on_delete=fields.OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Assignment',
            name='entered_reason',
            field=fields.TextField(default='', db_default=''),
        ),
    ]
