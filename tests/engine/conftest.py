"""Make the project importable when pytest is run without installing it."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402  (after the sys.path set-up above)

from wsservices.engine.environment import Environment  # noqa: E402
from wsservices.engine.dali.files import FileCatalog  # noqa: E402
from wsservices.engine.dali.catalog import catalog  # noqa: E402
from wsservices.engine.packagemaps.maps import PackageMaps  # noqa: E402
from wsservices.engine.dali.store import Store  # noqa: E402

from .files_support import open_cluster  # noqa: E402


@pytest.fixture
def store(tmp_path):
    """A real metadata store in a temporary folder (modules may define their own)."""
    s = Store.open(tmp_path / "dali.sqlite")
    yield s
    s.close()


@pytest.fixture
def pm(store):
    """The package-map engine on that store, with two Roxie targets."""
    env = Environment.from_mapping({"roxie": [{"name": "roxie"}, {"name": "roxie2", "process": "other"}]})
    return PackageMaps(store, env)


@pytest.fixture
def cluster(tmp_path):
    """A real emulated cluster (store, data dir, one DFU worker) in a temporary folder."""
    with open_cluster(tmp_path / "data") as c:
        yield c


@pytest.fixture
def cat(cluster) -> FileCatalog:
    """That cluster's file catalogue."""
    return catalog(cluster)
