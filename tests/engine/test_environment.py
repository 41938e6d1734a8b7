import socket

from wsservices.engine.environment import DropZone, Environment


def test_default_topology():
    env = Environment.default()
    (thor,) = env.thor_clusters
    assert (thor.name, thor.group, thor.target, thor.replicate) == ("mythor", "mythor", "thor", False)
    assert [(n.name, n.address) for n in thor.nodes] == [
        ("node1", "127.0.0.1"), ("node2", "127.0.0.2"), ("node3", "127.0.0.3"), ("node4", "127.0.0.4")]
    (dz,) = env.drop_zones
    assert (dz.name, dz.path, dz.addresses) == (
        "mydropzone", "/var/lib/HPCCSystems/mydropzone", ("127.0.0.1",))
    assert env.roxie_targets[0].name == "roxie" and env.roxie_targets[0].processes == ("myroxie",)
    assert env.dfu_queues == ("dfuserver_queue",) and env.dfu_server == "mydfuserver"


def test_lookups():
    env = Environment.default()
    assert env.thor_cluster("MYTHOR") is env.thor_clusters[0]
    assert env.thor_cluster("thor") is env.thor_clusters[0]
    assert env.thor_cluster("nope") is None
    assert env.drop_zone("mydropzone") is env.drop_zones[0]
    assert env.drop_zone("nope") is None
    assert env.roxie_target("Roxie").name == "roxie"
    assert env.find_drop_zone("localhost", "/var/lib/HPCCSystems/mydropzone/a.csv").name == "mydropzone"
    assert env.find_drop_zone("", "/var/lib/HPCCSystems/mydropzone") is not None
    assert env.find_drop_zone("10.9.9.9", "/var/lib/HPCCSystems/mydropzone/a") is None
    assert env.find_drop_zone(None, "/var/lib/HPCCSystems/mydropzone2/a") is None


def test_part_placement():
    thor = Environment.default().thor_clusters[0]
    assert [thor.node_for_part(p).name for p in range(5)] == ["node1", "node2", "node3", "node4", "node1"]
    assert thor.replica_node_for_part(3).name == "node1"
    assert thor.replica_node_for_part(0, offset=2).name == "node3"


def test_dropzone_matches_address_aliases():
    dz = Environment.default().drop_zones[0]
    for alias in ("127.0.0.1", "localhost", "LOCALHOST", ".", " 127.0.0.1 ", socket.gethostname()):
        assert dz.matches_address(alias), alias
    assert not dz.matches_address("10.1.2.3")
    assert not dz.matches_address("")
    remote = DropZone(name="r", path="/lz", addresses=("10.0.0.5", "lzhost"))
    assert remote.matches_address("LZHOST") and remote.matches_address("10.0.0.5")
    assert not remote.matches_address("localhost")


def test_contains_path_is_boundary_aware_and_case_sensitive():
    dz = DropZone(name="z", path="/data/lz")
    assert dz.contains_path("/data/lz") and dz.contains_path("/data/lz/x/y")
    assert not dz.contains_path("/data/lz2/x")
    assert not dz.contains_path("/DATA/lz/x")


def test_summary_is_plain_data():
    summary = Environment.default().summary()
    assert summary["thor_clusters"] == [
        {"name": "mythor", "group": "mythor", "target": "thor", "nodes": 4, "replicate": False}]
    assert summary["drop_zones"][0]["path"] == "/var/lib/HPCCSystems/mydropzone"
    assert summary["roxie_targets"] == [{"name": "roxie", "processes": ["myroxie"]}]
    assert summary["dfu_queues"] == ["dfuserver_queue"]


def test_empty_tables_mean_none():
    env = Environment.from_mapping({"roxie": [], "dropzone": []})
    assert env.roxie_targets == () and env.drop_zones == ()
    assert len(env.thor_clusters) == 1


def test_shared_named_node():
    env = Environment.from_mapping({"thor": [
        {"name": "a", "nodes": [{"name": "box", "address": "10.0.0.1"}]},
        {"name": "b", "nodes": [{"name": "box", "address": "10.0.0.1"}]}]})
    assert [n.name for n in env.nodes] == ["box"]
