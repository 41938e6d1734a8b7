from wsservices.engine.cluster import Cluster
from wsservices.engine.config import load_settings


def test_open_creates_layout_and_store(tmp_path):
    settings = load_settings(env={}, overrides={"data_dir": str(tmp_path / "d")})
    with Cluster.open(settings) as cluster:
        assert cluster.settings is settings
        assert cluster.environment is settings.environment
        assert (tmp_path / "d" / "dali.sqlite").exists()
        assert (tmp_path / "d" / "dropzones" / "mydropzone").is_dir()
        assert cluster.store.journal_mode == "wal"
        cluster.store.set_meta("k", "v")
        summary = cluster.summary()
    assert summary["data_dir"] == str(tmp_path / "d")
    assert summary["schema_version"] >= 1
    assert summary["thor_clusters"][0]["nodes"] == 4
    assert summary["drop_zones"][0]["path"] == "/var/lib/HPCCSystems/mydropzone"
    assert summary["roxie_targets"][0]["name"] == "roxie"
    assert summary["dfu_queues"] == ["dfuserver_queue"]
    with Cluster.open(settings) as again:  # a restart finds everything as it was
        assert again.store.get_meta("k") == "v"
