"""PostgreSQL: the search terms' tsvector stored beside them, and the GIN index on it.

With the index on the expression to_tsvector('simple', terms), every row the planner reads
outside the index - the newest entries first, for ORDER BY id DESC LIMIT, or a recheck -
has its terms parsed again: at 6,000,000 entries a common word (返金 in 4% of them) took
about 120 ms, nearly all of it in to_tsvector (bench/console, issue 12). A stored generated
column is parsed once, when the entry is written. SQLite keeps its FTS5 table (0008).
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE tickets_searchentry ADD COLUMN terms_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX tickets_search_vector ON tickets_searchentry USING gin (terms_vector)",
    "DROP INDEX IF EXISTS tickets_search_terms",
]
POSTGRES_REVERSE = [
    "CREATE INDEX IF NOT EXISTS tickets_search_terms ON tickets_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, terms))",
    "DROP INDEX IF EXISTS tickets_search_vector",
    "ALTER TABLE tickets_searchentry DROP COLUMN IF EXISTS terms_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0013_priority"),
    ]

    operations = [
        migrations.RunPython(run(POSTGRES), run(POSTGRES_REVERSE)),
    ]
