"""The job queue: work that runs off the web process (procrastinate on PostgreSQL, in memory on SQLite)."""
