"""Published queries against package maps: whole-map replace, virtual superkeys, the rollup
recipe, OPT files, suspended and unknown queries, query ids and aliases."""
from __future__ import annotations

import pytest
import zeep
from zeep.transports import Transport

from .support import (control, employees, lookup, publish, roxie_error, rows, spray_csv, unique, unpublish,
                      virtual_part)


@pytest.fixture(scope="module")
def pkg(url):
    return zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=30))


@pytest.fixture
def scope():
    return unique("rx")


def versions(answer: dict, query: str) -> list[str]:
    return [r["Version"] for r in rows(answer, query)]


def test_whole_map_replace_switches_the_data(http, url, fs, pkg, quiet, scope):
    for v in ("a", "b"):
        spray_csv(http, url, fs, f"{scope}::emp_{v}", employees(v, range(1, 6)))
    query = publish(http, url, scope, [{"name": f"~{scope}::super", "opt": False}])["QueryName"]
    try:
        for v in ("a", "b"):
            info = virtual_part(query, f"~{scope}::super", [f"~{scope}::emp_{v}"])
            r = pkg.service.AddPackage(Info=info, Target="roxie", PackageMap=f"{scope}.pkg", Activate=True,
                                       OverWrite=True)
            assert r.status.Code == 0
            assert versions(lookup(http, url, query, EmployeeID=3), query) == [v]
    finally:
        unpublish(http, url, query)


def test_virtual_superkey_reads_every_subkey_and_rollup_replaces_them(http, url, fs, dfu, pkg, quiet, scope):
    """The article's rollup: daily subkeys in the virtual superkey, then one rolled-up key
    replaces them in a single part; the old subkeys become deletable."""
    days = [f"{scope}::day{i}" for i in (1, 2, 3)]
    for i, lfn in enumerate(days):
        spray_csv(http, url, fs, lfn, employees(f"d{i + 1}", range(10 * i + 1, 10 * i + 11)))
    spray_csv(http, url, fs, f"{scope}::rollup", employees("r", range(1, 31)))
    query = publish(http, url, scope, [{"name": f"~virtual_{scope}", "opt": True}])["QueryName"]
    part = f"part_{scope}.pkg"
    try:
        pkg.service.AddPartToPackageMap(Target="roxie", PackageMap=f"{scope}.pkg", PartName=f"q_{scope}.pkg",
                                         Content=f'<RoxiePackages><Package id="{query}"><Base id="data"/>'
                                                 '</Package></RoxiePackages>')
        for subkeys in (days[:1], days):
            assert pkg.service.AddPartToPackageMap(
                Target="roxie", PackageMap=f"{scope}.pkg", PartName=part, DeletePrevious=True,
                Content=virtual_part("data", f"~virtual_{scope}", [f"~{s}" for s in subkeys])).status.Code == 0
            pkg.service.ActivatePackage(Target="roxie", PackageMap=f"{scope}.pkg")
        assert versions(lookup(http, url, query, EmployeeID=25), query) == ["d3"]
        assert versions(lookup(http, url, query, EmployeeID=1), query) == ["d1"]
        assert dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [days[0]]}) \
            .ActionResults.DFUActionInfo[0].Failed

        pkg.service.AddPartToPackageMap(Target="roxie", PackageMap=f"{scope}.pkg", PartName=part, DeletePrevious=True,
                                        Content=virtual_part("data", f"~virtual_{scope}", [f"~{scope}::rollup"]))
        assert versions(lookup(http, url, query, EmployeeID=25), query) == ["r"]
        result = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": days}).ActionResults.DFUActionInfo
        assert [a.Failed for a in result] == [False, False, False]
    finally:
        unpublish(http, url, query)


def test_opt_missing_file_gives_empty_results(http, url, pkg, quiet, scope):
    query = publish(http, url, scope, [{"name": f"{scope}::nowhere", "opt": True}])["QueryName"]
    try:
        pkg.service.AddPackage(Info=f'<RoxiePackages><Package id="{query}"/></RoxiePackages>', Target="roxie",
                               PackageMap=f"{scope}.pkg", Activate=True)
        assert lookup(http, url, query, EmployeeID=1) == {
            f"{query}Response": {"sequence": 0, "Results": {"result_1": {"Row": []}}}}
        xml = http.get(f"{url}/WsEcl/submit/query/roxie/{query}/xml", params={"EmployeeID": 1}).text
        assert xml == (f'<?xml version="1.0" encoding="UTF-8"?><{query}Response xmlns="urn:hpccsystems:ecl:{query}">'
                       f'<Result><Dataset xmlns="urn:hpccsystems:ecl:{query}:result:result_1" name="Result 1">'
                       f"</Dataset></Result></{query}Response>")
    finally:
        unpublish(http, url, query)


def test_missing_file_suspends_the_query_until_the_map_supplies_it(http, url, fs, pkg, quiet, scope):
    query = publish(http, url, scope, [{"name": f"~{scope}::super", "opt": False}])["QueryName"]
    try:
        pkg.service.AddPackage(Info=f'<RoxiePackages><Package id="{query}"/></RoxiePackages>', Target="roxie",
                               PackageMap=f"{scope}.pkg", Activate=True)
        assert roxie_error(lookup(http, url, query, EmployeeID=1), query) == (
            1402, f"Query {query}.1 is suspended because Could not resolve filename {scope}::super")
        listed = control(http, url, "roxie/queries", {"target": "roxie"}, "GET").json()["Queries"]
        [mine] = [q for q in listed if q["QueryName"] == query]
        assert mine["Suspended"] is True and mine["SuspendedReason"].startswith("Could not resolve filename")
        assert mine["Locks"] == []
        compulsory = (f'<RoxiePackages><Package id="{query}" compulsory="1"/></RoxiePackages>')
        pkg.service.AddPackage(Info=compulsory, Target="roxie", PackageMap=f"{scope}.pkg", Activate=True,
                               OverWrite=True)
        assert roxie_error(lookup(http, url, query, EmployeeID=1), query)[1].endswith(" (Package is compulsory)")

        spray_csv(http, url, fs, f"{scope}::v1", employees("v1", range(1, 3)))
        pkg.service.AddPackage(Info=virtual_part(query, f"{scope}::super", [f"{scope}::v1"]), Target="roxie",
                               PackageMap=f"{scope}.pkg", Activate=True, OverWrite=True)
        assert versions(lookup(http, url, query, EmployeeID=2), query) == ["v1"]
        listed = control(http, url, "roxie/queries", {"target": "roxie"}, "GET").json()["Queries"]
        [mine] = [q for q in listed if q["QueryName"] == query]
        assert mine["Locks"] == [{"name": f"{scope}::v1", "mode": "hold"}]     # the leaf, not the superkey
    finally:
        unpublish(http, url, query)


def test_unknown_query_and_no_active_packages(http, url, pkg, quiet, scope):
    pkg.service.AddPackage(Info="<RoxiePackages/>", Target="roxie", PackageMap=f"{scope}.pkg", Activate=True)
    assert roxie_error(lookup(http, url, f"{scope}_nosuch"), f"{scope}_nosuch") == (
        1403, f"Unknown query {scope}_nosuch, in target roxie")
    xml = http.get(f"{url}/WsEcl/submit/query/roxie/{scope}_nosuch").text
    assert (f"<Result><Exception><Source>Roxie</Source><Code>1403</Code><Message>Unknown query {scope}_nosuch, "
            "in target roxie</Message></Exception></Result>") in xml
    pkg.service.DeActivatePackage(Target="roxie", PackageMap=f"{scope}.pkg")
    assert roxie_error(lookup(http, url, f"{scope}_nosuch"), f"{scope}_nosuch") == (
        1450, f"Unknown query {scope}_nosuch (no packages active)")


def test_ids_aliases_and_activation(http, url, fs, pkg, quiet, scope):
    spray_csv(http, url, fs, f"{scope}::data", employees("x", range(1, 4)))
    files = [{"name": f"{scope}::data", "opt": False}]
    name = scope.upper()                         # query names are lower-cased, as addNamedQuery does
    first, second = publish(http, url, name, files), publish(http, url, name, files)
    third = publish(http, url, name, files, keys=("Name",), activate=False)
    assert [(q["QueryId"], q["Activated"]) for q in (first, second, third)] == [
        (f"{scope}.1", True), (f"{scope}.2", True), (f"{scope}.3", False)]
    try:
        pkg.service.AddPackage(Info="<RoxiePackages/>", Target="roxie", PackageMap=f"{scope}.pkg", Activate=True)
        listed = control(http, url, "roxie/queries", {"target": "roxie"}, "GET").json()["Queries"]
        mine = [(q["QueryId"], q["Activated"], q["Suspended"], q["Keys"]) for q in listed if q["QueryName"] == scope]
        assert mine == [(f"{scope}.1", False, False, ["EmployeeID"]), (f"{scope}.2", True, False, ["EmployeeID"]),
                        (f"{scope}.3", False, False, ["Name"])]
        assert versions(lookup(http, url, scope, EmployeeID=2), scope) == ["x"]          # the alias: .2
        assert versions(lookup(http, url, f"{scope}.3", Name="Employee 1, x"), f"{scope}.3") == ["x"]
        assert rows(lookup(http, url, f"{scope}.3", EmployeeID=1), f"{scope}.3") == []
        unpublish(http, url, scope)                                                      # by alias: .2 goes
        assert roxie_error(lookup(http, url, scope, EmployeeID=2), scope)[0] == 1403
        assert versions(lookup(http, url, f"{scope}.1", EmployeeID=2), f"{scope}.1") == ["x"]
    finally:
        for qid in (f"{scope}.1", f"{scope}.3"):
            unpublish(http, url, qid)
