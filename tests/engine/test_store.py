import sqlite3
import threading

import pytest

from wsservices.engine.dali.store import LATEST_VERSION, MIGRATIONS, Store, StoreError


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "dali.sqlite")
    yield s
    s.close()


def add_file(store, name, scope="", tail=None):
    with store.transaction() as tx:
        return tx.execute(
            "INSERT INTO logical_files(name, scope, tail, modified) VALUES (?, ?, ?, ?)",
            (name, scope, tail or name.rsplit("::", 1)[-1], "2024-01-01T00:00:00")).lastrowid


def test_wal_mode_and_schema_version(store, tmp_path):
    assert store.journal_mode == "wal"
    assert store.schema_version == LATEST_VERSION == MIGRATIONS[-1].version
    rows = store.query("SELECT version, description FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == [m.version for m in MIGRATIONS]
    for table in ("logical_files", "file_parts", "superfile_members", "file_attrs", "file_locks",
                  "dfu_workunits", "package_maps", "queries"):
        assert table in store.tables()
    assert (tmp_path / "dali.sqlite-wal").exists()


def test_reopen_finds_data_and_does_not_remigrate(tmp_path):
    path = tmp_path / "dali.sqlite"
    s = Store.open(path)
    add_file(s, "thor::a", "thor")
    s.set_meta("started", "yes")
    s.close()
    s2 = Store.open(path)
    try:
        assert [r["name"] for r in s2.query("SELECT name FROM logical_files")] == ["thor::a"]
        assert s2.get_meta("started") == "yes"
        assert s2.get_meta("missing", "d") == "d"
        assert len(s2.query("SELECT * FROM schema_version")) == len(MIGRATIONS)
    finally:
        s2.close()


def test_transaction_rollback(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.execute("INSERT INTO meta VALUES ('k', 'v')")
            raise RuntimeError("boom")
    assert store.get_meta("k") is None


def test_nested_transaction_is_a_savepoint(store):
    with store.transaction():
        store.set_meta("outer", "1")
        with pytest.raises(ValueError):
            with store.transaction():
                store.set_meta("inner", "1")
                raise ValueError
        store.set_meta("after", "1")
    assert store.get_meta("outer") == "1" and store.get_meta("after") == "1"
    assert store.get_meta("inner") is None


def test_unique_names_and_cascade(store):
    fid = add_file(store, "thor::a", "thor")
    with pytest.raises(sqlite3.IntegrityError):
        add_file(store, "thor::a", "thor")
    with store.transaction() as tx:
        tx.execute("INSERT INTO file_parts(file_id, cluster, part_no, node, size) "
                   "VALUES (?, 'mythor', 1, 'node1', 10)", (fid,))
        tx.execute("INSERT INTO file_attrs VALUES (?, 'owner', 'me')", (fid,))
    store.execute("DELETE FROM logical_files WHERE id = ?", (fid,))
    assert store.query("SELECT * FROM file_parts") == []
    assert store.query("SELECT * FROM file_attrs") == []


def test_name_lookup_uses_an_index(store):
    plan = store.query("EXPLAIN QUERY PLAN SELECT * FROM logical_files WHERE name = ?", ("x",))
    assert any("INDEX" in row["detail"].upper() for row in plan)


def test_threads_write_concurrently(store):
    errors = []

    def worker(n):
        try:
            for i in range(20):
                with store.transaction():
                    store.set_meta(f"t{n}-{i}", str(i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.query_one("SELECT COUNT(*) FROM meta")[0] == 80


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "dali.sqlite"
    Store.open(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_version VALUES (999, 'future', 'now')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_closed_store_refuses_work(tmp_path):
    s = Store.open(tmp_path / "d.sqlite")
    s.close()
    with pytest.raises(StoreError):
        s.query("SELECT 1")
