import os
from pathlib import Path

import pytest

from wsservices.engine.config import DEFAULT_DATA_DIR, ConfigError, Settings, load_settings
from wsservices.engine.environment import Environment


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert (s.host, s.port, s.max_request_bytes, s.dfu_workers, s.deterministic) == (
        "127.0.0.1", 8010, 8_000_000, max(4, os.cpu_count() or 1), False)
    assert s.data_dir == tmp_path / "hpccemu-data"
    assert s.data_dir.is_absolute()
    assert Settings().data_dir == DEFAULT_DATA_DIR
    assert s.dfu_lock_wait == 0                 # the DFU server's INFINITE wait for a lock
    assert load_settings(env={"HPCCEMU_DFU_LOCK_WAIT": "2.5"}).dfu_lock_wait == 2.5
    env = s.environment
    assert [c.name for c in env.thor_clusters] == ["mythor"]
    assert [d.name for d in env.drop_zones] == ["mydropzone"]
    assert [r.name for r in env.roxie_targets] == ["roxie"]
    assert env.dfu_queues == ("dfuserver_queue",)


def test_precedence_file_then_env_then_overrides(tmp_path):
    cfg = write(tmp_path / "emu.toml", 'host = "0.0.0.0"\nport = 9000\ndfu_workers = 3\n'
                                       'deterministic = true\nmax_request_bytes = 100\n')
    s = load_settings(cfg, env={})
    assert (s.host, s.port, s.dfu_workers, s.deterministic, s.max_request_bytes) == (
        "0.0.0.0", 9000, 3, True, 100)

    env = {"HPCCEMU_PORT": "9100", "HPCCEMU_DFU_WORKERS": "5", "HPCCEMU_DETERMINISTIC": "off"}
    s = load_settings(cfg, env=env)
    assert (s.host, s.port, s.dfu_workers, s.deterministic) == ("0.0.0.0", 9100, 5, False)

    s = load_settings(cfg, env=env, overrides={"port": 9200, "dfu_workers": None,
                                                "deterministic": "yes"})
    assert (s.port, s.dfu_workers, s.deterministic) == (9200, 5, True)


def test_config_file_from_env_var(tmp_path):
    cfg = write(tmp_path / "c.toml", "port = 1234\n")
    assert load_settings(env={"HPCCEMU_CONFIG": str(cfg)}).port == 1234


def test_data_dir_relative_to_config_file_or_cwd(tmp_path, monkeypatch):
    (tmp_path / "etc").mkdir()
    cfg = write(tmp_path / "etc" / "c.toml", 'data_dir = "state"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(cfg, env={}).data_dir == tmp_path / "etc" / "state"
    assert load_settings(cfg, env={"HPCCEMU_DATA_DIR": "other"}).data_dir == tmp_path / "other"
    assert load_settings(cfg, env={}, overrides={"data_dir": tmp_path / "x"}).data_dir == tmp_path / "x"


def test_empty_env_var_counts_as_unset():
    assert load_settings(env={"HPCCEMU_PORT": ""}).port == 8010


@pytest.mark.parametrize("env, key", [
    ({"HPCCEMU_PORT": "eighty"}, "port (HPCCEMU_PORT)"),
    ({"HPCCEMU_PORT": "70000"}, "port (HPCCEMU_PORT)"),
    ({"HPCCEMU_DFU_WORKERS": "0"}, "dfu_workers (HPCCEMU_DFU_WORKERS)"),
    ({"HPCCEMU_MAX_REQUEST_BYTES": "-1"}, "max_request_bytes (HPCCEMU_MAX_REQUEST_BYTES)"),
    ({"HPCCEMU_DETERMINISTIC": "maybe"}, "deterministic (HPCCEMU_DETERMINISTIC)"),
    ({"HPCCEMU_HOST": "a b"}, "host (HPCCEMU_HOST)"),
    ({"HPCCEMU_DFU_LOCK_WAIT": "-1"}, "dfu_lock_wait (HPCCEMU_DFU_LOCK_WAIT)"),
    ({"HPCCEMU_DFU_LOCK_WAIT": "soon"}, "dfu_lock_wait (HPCCEMU_DFU_LOCK_WAIT)"),
])
def test_bad_env_values_name_the_key(env, key):
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    assert str(info.value).startswith(key)
    assert isinstance(info.value, ValueError)


def test_bad_file_values(tmp_path):
    with pytest.raises(ConfigError, match=r"^port \(.*c\.toml\)"):
        load_settings(write(tmp_path / "c.toml", 'port = "x"\n'), env={})
    with pytest.raises(ConfigError, match="^colour"):
        load_settings(write(tmp_path / "d.toml", 'colour = "red"\n'), env={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})
    with pytest.raises(ConfigError, match="config file"):
        load_settings(write(tmp_path / "e.toml", "port = = 1\n"), env={})
    with pytest.raises(ConfigError, match="deterministic"):
        load_settings(write(tmp_path / "f.toml", "deterministic = 1\n"), env={})


def test_bad_overrides():
    with pytest.raises(ConfigError, match="^nope"):
        load_settings(env={}, overrides={"nope": 1})
    with pytest.raises(ConfigError, match="^port"):
        load_settings(env={}, overrides={"port": True})


def test_environment_override():
    env = Environment.from_mapping({"thor": [{"name": "big", "nodes": 2}]})
    s = load_settings(env={}, overrides={"environment": env})
    assert s.environment is env


def test_topology_from_file(tmp_path):
    cfg = write(tmp_path / "c.toml", """
port = 8011

[[thor]]
name = "MyThor"
target = "thor"
nodes = ["10.0.0.1", "10.0.0.2"]

[[thor]]
name = "thor2"
nodes = 3
replicate = true

[[dropzone]]
name = "lz"
path = "/data/lz/"
addresses = ["10.0.0.9", "lzhost"]

[dfu]
queues = ["q1", "q2"]
""")
    env = load_settings(cfg, env={}).environment
    first, second = env.thor_clusters
    assert first.name == "mythor" and first.group == "mythor" and first.target == "thor"
    assert [(n.name, n.address) for n in first.nodes] == [("node1", "10.0.0.1"), ("node2", "10.0.0.2")]
    assert [n.name for n in second.nodes] == ["node3", "node4", "node5"]
    assert second.nodes[0].address == "127.0.0.3" and second.replicate
    assert env.drop_zones[0].path == "/data/lz"
    assert env.drop_zones[0].addresses == ("10.0.0.9", "lzhost")
    # absent table -> default
    assert [r.name for r in env.roxie_targets] == ["roxie"]
    assert env.dfu_queues == ("q1", "q2") and env.default_dfu_queue == "q1"


@pytest.mark.parametrize("toml, where", [
    ('[[thor]]\nnodes = 2\n', "thor[0].name"),
    ('[[thor]]\nname = "t"\nnodes = 0\n', "thor[0].nodes"),
    ('[[thor]]\nname = "../x"\n', "thor[0].name"),
    ('[[thor]]\nname = "t"\ncolour = 1\n', "thor[0].colour"),
    ('[[dropzone]]\nname = "z"\npath = "rel"\n', "dropzone[0].path"),
    ('[[dropzone]]\nname = "z"\npath = "/a/../b"\n', "dropzone[0].path"),
    ('[[dropzone]]\nname = "z"\npath = "/a"\nvisible = "yes"\n', "dropzone[0].visible"),
    ('[[dropzone]]\nname = "z"\npath = "/a"\n[[dropzone]]\nname = "z"\npath = "/b"\n', "dropzone"),
    ('[dfu]\nqueue = ""\n', "dfu.queue"),
])
def test_bad_topology(tmp_path, toml, where):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path / "c.toml", toml), env={})
    assert str(info.value).startswith(where)
