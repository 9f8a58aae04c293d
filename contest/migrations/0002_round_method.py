from tortoise import migrations
from tortoise.migrations import operations as ops
from contest.judging.aggregation import Method
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Round',
            name='method',
            field=fields.CharEnumField(default=Method.MEAN, description='MEAN: mean\nTRIMMED_MEAN: trimmed_mean\nZSCORE: zscore', db_default='mean', enum_type=Method, max_length=20),
        ),
    ]
