from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0024_phone_codes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PrivacyNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.IntField(unique=True)),
                ('title', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(default='', db_default='', max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('body_en', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='privacy_notices', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'privacy_notice', 'app': 'models', 'pk_attr': 'id', 'table_description': "A version of the installation's privacy notice (个人信息处理规则). Versions are only added, never"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrivacyConsent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='privacy_consents', on_delete=OnDelete.CASCADE)),
                ('notice', fields.ForeignKeyField('models.PrivacyNotice', source_field='notice_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.RESTRICT)),
                ('sensitive', fields.BooleanField()),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(default='', db_default='', max_length=64)),
            ],
            options={'table': 'privacy_consent', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One consent: which account accepted which version, when, from where, and whether it also gave the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Session',
            name='consent_due',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
