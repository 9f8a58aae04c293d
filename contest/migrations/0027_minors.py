from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

# Entrants under 14: the contest's switch, the guardian and the public naming on the entry, and the guardian's
# facts kept with each declaration.


def _entry_field(name: str, field: fields.Field) -> ops.AddField:
    return ops.AddField(model_name='Entry', name=name, field=field)


class Migration(migrations.Migration):
    dependencies = [('models', '0026_retention')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Contest',
            name='accepts_minors',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        _entry_field('has_minor', fields.BooleanField(default=False, db_default=False)),
        _entry_field('guardian_name', fields.CharField(default='', db_default='', max_length=100)),
        _entry_field('guardian_contact', fields.CharField(default='', db_default='', max_length=254)),
        _entry_field('guardian_relation', fields.CharField(default='', db_default='', max_length=50)),
        _entry_field('guardian_consented_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        _entry_field('minor_naming', fields.CharField(default='', db_default='', max_length=10)),
        _entry_field('typed_name', fields.CharField(default='', db_default='', max_length=200)),
        ops.AddField(
            model_name='Declaration',
            name='guardian',
            field=fields.JSONField(default=dict, db_default='{}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
