"""Incremental superfile changes (members.py): positions with gaps and below 1, and aggregates
kept by a tally of the changed members, checked against a plain list and a tally of every
member after each step of a seeded random sequence of adds and removes."""
from __future__ import annotations

import random

import pytest

from .files_support import make_file
from wsservices.engine.dali import members
from wsservices.engine.dali.superfiles import SuperfileError

NAMES = [f"inc::f{i:02d}" for i in range(24)]


@pytest.fixture
def pool(cat):
    rng = random.Random(7)
    for i, name in enumerate(NAMES):
        attrs = {"recordCount": i + 1, "kind": "flat", "recordSize": 5}
        if i % 7 == 3:
            attrs.pop("recordCount")  # a member without a record count: the sum is undefined
        if i % 11 == 5:
            attrs["recordSize"] = 9   # a member that disagrees
        make_file(cat, name, b"x" * rng.randint(1, 50), **attrs)
    return cat


def aggregates_of(cat, name):
    info = cat.get(name)
    return {k: info.attrs.get(k) for k in sorted(members.AGGREGATED)}


def recomputed(cat, name):
    with cat.store.transaction() as conn:
        super_id = cat._row(conn, name)["id"]
        fresh = members.derived(members.tally(members.every_member_attrs(conn, super_id)))
    return {k: (None if fresh.get(k) is None else str(fresh[k])) for k in sorted(members.AGGREGATED)}


def test_random_changes_match_a_list_and_a_full_recompute(pool):
    sfm = pool.superfiles
    rng = random.Random(13)
    model: list[str] = []
    sfm.create("inc::super")
    for step in range(120):
        outside = [n for n in NAMES if n not in model]
        if outside and (not model or rng.random() < 0.55):
            subs = rng.sample(outside, min(len(outside), rng.randint(1, 3)))
            where = rng.choice(["", "*", "#", "name", "unknown"]) if model else ""
            if where == "#":
                pos = rng.randint(1, len(model) + 1)
                before, at = f"#{pos}", pos - 1
            elif where == "name":
                target = rng.choice(model)
                before, at = target, model.index(target)
            elif where in ("*", "unknown"):
                before, at = ("*" if where == "*" else "inc::nowhere"), 0
            else:
                before, at = "", len(model)
            sfm.add("inc::super", subs, before)
            model[at:at] = subs
        else:
            gone = rng.sample(model, min(len(model), rng.randint(1, 2)))
            if rng.random() < 0.5:
                sfm.remove("inc::super", gone)
            else:
                for g in gone:
                    sfm.remove_member("inc::super", g)
            model = [m for m in model if m not in gone]
        assert sfm.list("inc::super") == model, step
        expected = recomputed(pool, "inc::super") if model else dict.fromkeys(sorted(members.AGGREGATED))
        assert aggregates_of(pool, "inc::super") == expected, step


def test_positions_survive_gaps_and_front_inserts(pool):
    sfm = pool.superfiles
    sfm.add("inc::gaps", NAMES[:4])
    sfm.add("inc::gaps", [NAMES[4]], "*")          # below the first position
    sfm.remove("inc::gaps", [NAMES[1], NAMES[2]])  # leaves a gap
    sfm.add("inc::gaps", [NAMES[5], NAMES[6]], "#3")
    assert sfm.list("inc::gaps") == [NAMES[4], NAMES[0], NAMES[5], NAMES[6], NAMES[3]]
    with pytest.raises(SuperfileError) as err:
        sfm.add("inc::gaps", [NAMES[7]], "#7")
    assert "Insert position 7 out of range" in err.value.message
    sfm.add("inc::gaps", [NAMES[7]], "#6")
    assert sfm.list("inc::gaps")[-1] == NAMES[7]
    xml = pool.get("inc::gaps")
    assert xml.subfiles == sfm.list("inc::gaps")


def test_nested_owner_follows_a_member_superfile(pool):
    sfm = pool.superfiles
    sfm.add("inc::inner", NAMES[:2])
    sfm.add("inc::outer", ["inc::inner", NAMES[2]])
    sfm.add("inc::inner", [NAMES[4]])
    assert aggregates_of(pool, "inc::outer") == recomputed(pool, "inc::outer")
    size = sum(int(pool.get(n).attrs["size"]) for n in (NAMES[0], NAMES[1], NAMES[4], NAMES[2]))
    assert pool.get("inc::outer").attrs["size"] == str(size)
    sfm.remove("inc::inner", [NAMES[0]])
    assert aggregates_of(pool, "inc::outer") == recomputed(pool, "inc::outer")


def test_a_superfile_without_a_tally_is_tallied_from_its_members(pool):
    sfm = pool.superfiles
    sfm.add("inc::old", NAMES[:6])
    pool.store.execute("DELETE FROM superfile_tallies")  # as made before the tally existed
    sfm.remove("inc::old", [NAMES[3]])                   # the member without a record count
    assert aggregates_of(pool, "inc::old") == recomputed(pool, "inc::old")
    assert pool.get("inc::old").attrs["recordCount"] == str(sum((1, 2, 3, 5, 6)))


def test_a_member_attribute_set_directly_is_counted_at_the_next_change(pool):
    sfm = pool.superfiles
    sfm.add("inc::direct", NAMES[:3])
    pool.set_attrs(NAMES[1], {"recordCount": 1000})
    sfm.add("inc::direct", [NAMES[4]])
    assert pool.get("inc::direct").attrs["recordCount"] == str(1 + 1000 + 3 + 5)
    assert aggregates_of(pool, "inc::direct") == recomputed(pool, "inc::direct")
