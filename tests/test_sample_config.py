"""examples/hpccemu.toml: a valid configuration whose every top-level setting is the default, and
whose topology is the embedded default environment."""
from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from wsservices.engine.config import Settings, load_settings
from wsservices.engine.environment import Environment

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hpccemu.toml"


def test_the_sample_names_every_setting_with_its_default():
    loaded = load_settings(SAMPLE, env={})
    default = load_settings(None, env={})
    written = tomllib.loads(SAMPLE.read_text())
    plain = {f.name for f in fields(Settings)} - {"data_dir", "environment", "security", "remotes", "htpasswd",
                                                  "dali_backup", "config_file", "dfu_workers"}
    assert plain <= set(written), sorted(plain - set(written))
    for name in plain:
        assert getattr(loaded, name) == getattr(default, name), name
    assert loaded.data_dir == (SAMPLE.parent / "hpccemu-data").resolve()
    for machine_dependent in ("dfu_workers", "dali_backup"):   # documented, commented out
        assert f"# {machine_dependent} = " in SAMPLE.read_text()


def test_the_sample_topology_is_the_default_environment():
    assert load_settings(SAMPLE, env={}).environment == Environment.from_mapping({})
