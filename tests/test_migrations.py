"""Schema migrations on SQLite and PostgreSQL: new stores at head, the revisions agree with the
models, a store of the previous release is refused until ``db upgrade`` and keeps its data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Integer, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from knowledge_service import migrations
from knowledge_service.access import service as access
from knowledge_service.access.schemas import Role
from knowledge_service.content import service as content
from knowledge_service.db import make_engine, session_scope
from knowledge_service.errors import StoreSchemaError
from knowledge_service.freshness import service as freshness
from knowledge_service.models_registry import create_all_tables
from tests.conftest import REPO_ROOT
from tests.server import run_cli

PREVIOUS_RELEASE = REPO_ROOT / "tests" / "data" / "stores" / "release-0.1.0.json"
# The admin key in that store (a test fixture's key: it opens nothing else).
ADMIN_SECRET = "ks_0b6c5db99e9f_-ITWWz9piWhY-kRM86I0Q24Ow3bNljF3SRey_LZP8w8"


@pytest.fixture
def bare(database_url: str) -> Engine:
    """An engine on the test's empty store (no tables)."""
    engine = make_engine(database_url)
    yield engine  # type: ignore[misc]
    engine.dispose()


def make_previous_release_store(engine: Engine) -> None:
    """The baseline schema with the previous release's rows and no recorded revision."""
    with engine.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), migrations.BASELINE)
        connection.execute(text(f"DROP TABLE {migrations.VERSION_TABLE}"))
        tables = json.loads(PREVIOUS_RELEASE.read_text(encoding="utf-8"))["tables"]
        for table, rows in tables.items():
            names = list(rows[0])
            insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES "
            connection.execute(text(insert + f"({', '.join(':' + n for n in names)})"), rows)
        if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in SQLModel.metadata.sorted_tables:
                if table.name not in tables:  # added by a later revision: not there yet
                    continue
                if "id" in table.c and isinstance(table.c.id.type, Integer):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    ))  # fmt: skip


def test_revisions_build_exactly_the_models_schema(bare: Engine) -> None:
    """Every model change comes with a revision (``knowledge-service db revision``)."""
    with bare.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "head")
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_new_store_is_created_at_head(bare: Engine) -> None:
    create_all_tables(bare)
    with bare.connect() as connection:
        status = migrations.schema_status(connection)
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert status.current == migrations.head_revision() and status.is_current
    assert differences == []
    create_all_tables(bare)  # idempotent on a store at head


def test_store_of_a_newer_release_is_refused(bare: Engine) -> None:
    create_all_tables(bare)
    with bare.begin() as connection:
        connection.execute(text(f"UPDATE {migrations.VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(StoreSchemaError, match=r"revision 9999.*newer release") as caught:
        create_all_tables(bare)
    assert not caught.value.is_behind
    with pytest.raises(StoreSchemaError):
        migrations.upgrade_store(bare)


def test_previous_release_store_is_refused_until_upgraded_and_keeps_its_data(
    bare: Engine, database_url: str, tmp_path: Path
) -> None:
    make_previous_release_store(bare)
    with pytest.raises(StoreSchemaError, match="knowledge-service db upgrade"):
        create_all_tables(bare)

    env = {"KS_DATABASE_URL": database_url, "KS_DATA_DIR": str(tmp_path / "data")}
    refused = run_cli(tmp_path, env, "serve", "--port", "1")
    assert refused.returncode == 2
    assert "made before schema migrations" in refused.stderr
    assert "run `knowledge-service db upgrade`" in refused.stderr

    upgraded = run_cli(tmp_path, env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"from revision {migrations.BASELINE}" in upgraded.stdout
    create_all_tables(bare)  # now accepted
    with session_scope(bare) as session:
        admin = access.authenticate(session, ADMIN_SECRET)
        assert admin.role == "admin"
        access.create_key(session, name="after-upgrade", role=Role.BOT)  # ids carry on
        assert len(access.list_keys(session)) == 6
        findings = freshness.list_findings(session)
        current = content.articles.current(session)
        refund = content.articles.get(session, "refund-timeframe")
    assert {f.kind for f in findings} == {"policy_mismatch", "review_due_soon"}
    assert {v.article_id for v in current} == {"refund-timeframe", "escalation-process", "new-fees"}
    assert refund.version == 2
    assert "within 5 business days" in refund.to_document().answer


def test_upgrade_of_an_empty_store_creates_it_at_head(bare: Engine) -> None:
    before = migrations.upgrade_store(bare)
    assert before.is_empty and before.current is None
    with bare.connect() as connection:
        assert migrations.schema_status(connection).is_current
        assert "article_version" in inspect(connection).get_table_names()


def test_revision_with_no_model_change_writes_nothing(bare: Engine, database_url: str,
                                                      tmp_path: Path) -> None:  # fmt: skip
    versions = Path(migrations.__file__).parent / "versions"
    before = sorted(versions.glob("*.py"))
    env = {"KS_DATABASE_URL": database_url, "KS_DATA_DIR": str(tmp_path / "data")}
    assert run_cli(tmp_path, env, "db", "upgrade").returncode == 0
    result = run_cli(tmp_path, env, "db", "revision", "-m", "nothing changed")
    assert result.returncode == 0, result.stderr
    assert f"No change: the models match revision {migrations.head_revision()}" in result.stdout
    assert sorted(versions.glob("*.py")) == before  # no empty revision file


def test_keys_and_workflow_records_of_0007_keep_four_eyes_as_they_were(bare: Engine) -> None:
    """0008: each earlier key is its own person (its name), and a workflow record written
    before it names no person (four eyes then ask the key it names who holds it)."""
    with bare.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0007")
        connection.execute(text(
            "INSERT INTO api_key (name, prefix, key_hash, role, owner, created_at) VALUES "
            "('ann-owner', 'aaaaaaaaaaaa', 'h1', 'owner', 'pay@example.com', "
            "'2026-12-01 09:00:00'), ('ann-admin', 'bbbbbbbbbbbb', 'h2', 'admin', NULL, "
            "'2026-12-01 09:00:00')"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO workflow_state (kind, doc_id, version, state, last_editor, updated_at) "
            "VALUES ('article', 'new-fees', 2, 'in_review', 'ann-owner', '2026-12-01 09:00:00')"
        ))  # fmt: skip
    migrations.upgrade_store(bare)
    with bare.connect() as connection:
        assert migrations.schema_status(connection).is_current
        keys = connection.execute(text("SELECT name, person FROM api_key ORDER BY name")).all()
        records = connection.execute(
            text("SELECT last_editor, last_editor_person FROM workflow_state")
        ).all()
    assert [tuple(k) for k in keys] == [("ann-admin", "ann-admin"), ("ann-owner", "ann-owner")]
    assert [tuple(r) for r in records] == [("ann-owner", None)]
    with session_scope(bare) as session:
        access.set_person(session, "ann-owner", "ann@example.com")  # the column takes a person
        assert access.person_of(session, "ann-owner") == "ann@example.com"
    with bare.begin() as connection:  # and back: 0008 goes down cleanly
        command.downgrade(migrations.alembic_config(connection), "0007")
        assert "person" not in {c["name"] for c in inspect(connection).get_columns("api_key")}


def test_ratings_of_an_earlier_release_take_their_answers_intent_on_upgrade(
    bare: Engine,
) -> None:
    """Revision 0009 keeps a rating's intent on the rating: an earlier rating takes its
    answer's while the answer's log entry is kept; one whose answer was purged keeps none."""
    with bare.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0008")
        connection.execute(text(
            "INSERT INTO answer_event (at, kind, channel, question, intent, status, latency_ms,"
            " stale, receipt) VALUES ('2026-11-20 09:00:00', 'answer', 'chat', 'q',"
            " 'billing.refund', 'answered', 1.0, false, 'rcpt_kept')"
        ))  # fmt: skip
        for receipt in ("rcpt_kept", "rcpt_purged"):
            connection.execute(
                text(
                    "INSERT INTO feedback (at, receipt, rating, channel)"
                    " VALUES ('2026-11-20 10:00:00', :receipt, 'wrong', 'chat')"
                ),
                {"receipt": receipt},
            )
        command.upgrade(migrations.alembic_config(connection), "head")
        rows = connection.execute(text("SELECT receipt, intent FROM feedback ORDER BY receipt"))
        assert [tuple(r) for r in rows] == [("rcpt_kept", "billing.refund"), ("rcpt_purged", None)]


def test_audit_events_of_an_earlier_release_say_how_they_were_made_where_they_tell(
    bare: Engine,
) -> None:
    """Revision 0010 adds ``via`` to the audit log and fills it where the row tells: a key's
    finding decision (``key:``), the check's, a key change (the command line), a version's
    source (``api``: a key's; ``cli`` or a file's path: the command line's); a workflow step
    that wrote no version stays None (read by its actor's name, as before)."""
    rows = [
        ("key:pay", "acknowledged", "finding", "1", {"status": "acknowledged"}),
        ("check", "created", "finding", "2", {"status": "open"}),
        ("ops", "key_created", "api_key", "pay", {"prefix": "0123456789ab"}),
        ("pay", "verified", "article", "a", {"source": "api", "status": "published"}),
        ("pay", "verified", "article", "b", {"source": "cli", "status": "published"}),
        ("pay", "created", "article", "c", {"source": "content/c.md", "status": "published"}),
        ("pay", "submitted", "article", "d", {"state": "in_review", "person": "pay"}),
    ]
    with bare.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0009")
        for actor, action, kind, object_id, detail in rows:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail)"
                    " VALUES ('2026-12-01 09:00:00', :actor, :action, :kind, :id, :detail)"
                ),
                {"actor": actor, "action": action, "kind": kind, "id": object_id,
                 "detail": json.dumps(detail)},
            )  # fmt: skip
        command.upgrade(migrations.alembic_config(connection), "head")
        found = connection.execute(text("SELECT object_id, via FROM audit_log ORDER BY id"))
        assert [tuple(r) for r in found] == [
            ("1", "key"), ("2", "system"), ("pay", "cli"), ("a", "key"), ("b", "cli"),
            ("c", "cli"), ("d", None),
        ]  # fmt: skip
        command.downgrade(migrations.alembic_config(connection), "0009")
        assert "via" not in {c["name"] for c in inspect(connection).get_columns("audit_log")}
