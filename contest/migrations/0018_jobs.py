from procrastinate.schema import SchemaManager
from tortoise import migrations
from tortoise.migrations import operations as ops


async def procrastinate_schema(apps, schema_editor) -> None:
    """On PostgreSQL the job queue's tables live in the installation's own database (contest.jobs); SQLite's
    queue is in the web process's memory and needs none. The schema is procrastinate 3.10's: a later
    procrastinate brings its own migrations, applied by a later migration of ours."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(SchemaManager.get_schema())


class Migration(migrations.Migration):
    dependencies = [('models', '0017_meeting')]

    initial = False

    operations = [
        ops.RunPython(procrastinate_schema),
    ]
