from tortoise import migrations
from tortoise.migrations import operations as ops
from contest.results.models import PayeeKind, PayoutState
from tortoise.fields.base import OnDelete
from tortoise import fields

# Prize payouts: a tier's prize, the contest's payout rule, and each award's payee (numbers sealed).


class Migration(migrations.Migration):
    dependencies = [('models', '0027_minors')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AwardTier',
            name='prize_fen',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Contest',
            name='payouts_open',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Contest',
            name='payout_tax_bp',
            field=fields.IntField(default=2000, db_default=2000),
        ),
        ops.AddField(
            model_name='Contest',
            name='payout_deadline',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='Payout',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('award', fields.OneToOneField('models.Award', source_field='award_id', db_constraint=True, to_field='id', related_name='payout', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(description='SUBMITTED: submitted\nDECLINED: declined\nPAID: paid', enum_type=PayoutState, max_length=20)),
                ('payee_kind', fields.CharEnumField(default=PayeeKind.INDIVIDUAL, description='INDIVIDUAL: individual\nORGANISATION: organisation\nTEAM_PROXY: team_proxy', enum_type=PayeeKind, max_length=20)),
                ('payee_name', fields.CharField(default='', db_default='', max_length=200)),
                ('id_type', fields.CharField(default='', db_default='', max_length=20)),
                ('id_number_sealed', fields.TextField(default='', db_default='', unique=False)),
                ('id_number_masked', fields.CharField(default='', db_default='', max_length=60)),
                ('bank_name', fields.CharField(default='', db_default='', max_length=200)),
                ('account_sealed', fields.TextField(default='', db_default='', unique=False)),
                ('account_masked', fields.CharField(default='', db_default='', max_length=40)),
                ('account_holder', fields.CharField(default='', db_default='', max_length=200)),
                ('phone', fields.CharField(default='', db_default='', max_length=20)),
                ('team_agreed', fields.BooleanField(default=False, db_default=False)),
                ('consented_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('declined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paid_on', fields.DateField(null=True)),
                ('paid_pre_tax_fen', fields.BigIntField(null=True)),
                ('paid_tax_fen', fields.BigIntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payout', 'app': 'models', 'pk_attr': 'id', 'table_description': "The payee of one award's prize, given by the winner"},
            bases=['Model'],
        ),
    ]
