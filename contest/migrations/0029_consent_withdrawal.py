from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from contest.accounts.models import ConsentKind

# Withdrawing consent (PIPL art. 15): a consent row says whether it gives consent or withdraws it; every row
# made before is a consent given.


class Migration(migrations.Migration):
    dependencies = [('models', '0028_payouts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PrivacyConsent',
            name='kind',
            field=fields.CharEnumField(default=ConsentKind.GIVEN, db_default='given', description='GIVEN: given\nSENSITIVE_WITHDRAWN: sensitive_withdrawn\nWITHDRAWN: withdrawn', enum_type=ConsentKind, max_length=20),
        ),
    ]
