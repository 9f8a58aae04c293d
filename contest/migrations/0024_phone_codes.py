from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0023_paper_sheets')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='phone_verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Contest',
            name='popular_vote_phone',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.CreateModel(
            name='PhoneCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purpose', fields.CharField(max_length=40)),
                ('phone', fields.CharField(max_length=11)),
                ('code_hash', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('wrong_tries', fields.IntField(default=0, db_default=0)),
            ],
            options={'table': 'phone_code', 'app': 'models', 'unique_together': (('purpose', 'phone'),), 'pk_attr': 'id', 'table_description': 'The live code sent to a phone for one purpose ("account:<user id>", "vote:<contest id>"): only its HMAC,'},
            bases=['Model'],
        ),
    ]
