import pytest

from wsservices.engine.errors import DomainError, InvalidLogicalName
from wsservices.engine.names import (LogicalName, logical_directory, normalize_logical_name,
                                     parse_logical_name, part_file_name, part_mask)


@pytest.mark.parametrize("raw, expected", [
    ("~Tutorial::YN::People", "tutorial::yn::people"),
    ("tutorial::yn::people", "tutorial::yn::people"),
    ("  ~thor::x", "thor::x"),
    ("  Thor  ::  My File ", "thor::my file"),
    ("myfile", ".::myfile"),
    ("~MyFile", ".::myfile"),
    (".::myfile", ".::myfile"),
    (".::.::a::.::b", "a::b"),
    ("a..b::...::c.d", "a..b::...::c.d"),
    ("thor::x@mythor", "thor::x"),
    ("thor::a@@b", "thor::a@@b"),
])
def test_normalisation(raw, expected):
    assert normalize_logical_name(raw) == expected


def test_parsed_parts():
    n = parse_logical_name("~Thor::Sub::X @ MyThor")
    assert n == LogicalName(name="thor::sub::x", scopes=("thor", "sub"), tail="x", cluster="mythor")
    assert n.scope == "thor::sub" and n.local_name == "thor::sub::x" and str(n) == "thor::sub::x"
    assert not n.is_foreign and not n.is_external and not n.is_multi
    root = parse_logical_name("x")
    assert root.scopes == () and root.scope == "" and root.tail == "x"


def test_foreign_names():
    n = parse_logical_name("~Foreign::10.150.50.11::Training::Thor::MyFile")
    assert n.is_foreign and n.foreign_host == "10.150.50.11"
    assert n.name == "foreign::10.150.50.11::training::thor::myfile"
    assert n.local_name == "training::thor::myfile"
    assert parse_logical_name("foreign::host:7070::a").name == "foreign::host:7070::.::a"
    # too short to be foreign: an ordinary scope
    assert not parse_logical_name("foreign::x").is_foreign


def test_external_names():
    f = parse_logical_name("file::127.0.0.1::var::lib::^h^p^c^c::in.csv")
    assert f.is_external and f.external_kind == "file" and f.external_host == "127.0.0.1"
    assert f.physical_path == "/var/lib/HPCC/in.csv"
    p = parse_logical_name("plane::mydata::a::b")
    assert p.external_kind == "plane" and p.external_host == "mydata" and p.physical_path is None
    r = parse_logical_name("remote::svc::A::B")
    assert r.external_kind == "remote" and r.local_name == "a::b"
    with pytest.raises(ValueError):
        logical_directory(f)


def test_multi_names_are_flagged():
    assert parse_logical_name("{a::b,c::d}").is_multi


@pytest.mark.parametrize("raw, message", [
    ("a::~b", "Unexpected character '~' in logical name 'a::~b' detected"),
    ("~~a", "Unexpected character '~' in logical name '~a' detected"),
    ("a::::b", "Scope is blank in file name 'a::::b'"),
    ("~a::", "Scope is blank in file name 'a::'"),
    ("::a", "Scope is blank in file name '::a'"),
    ("a::  ::b", "Scope is blank in file name 'a::  ::b'"),
    ("a::.", 'Logical filename cannot end with scope "."'),
    (".", 'Logical filename cannot end with scope "."'),
    ("a::b*", "Wildcards not allowed in filename (a::b*)"),
    ("~a::?", "Wildcards not allowed in filename (a::?)"),
    ('a::"b"', "Unexpected character '\"' in logical name 'a::\"b\"' detected"),
    ("a/b", "Unexpected character '/' in logical name 'a/b' detected"),
    ("a:b", "Unexpected character ':' in logical name 'a:b' detected"),
    ("a:::b", "Unexpected character ':' in logical name 'a:::b' detected"),
    ("a<b", "Unexpected character '<' in logical name 'a<b' detected"),
    ("a>b", "Unexpected character '>' in logical name 'a>b' detected"),
    ("a\\b", "Unexpected character '\\' in logical name 'a\\b' detected"),
    ("a|b", "Unexpected character '|' in logical name 'a|b' detected"),
    ("a\tb", "Unexpected character '\t' in logical name 'a\tb' detected"),
    ("caf\u00e9", "Unexpected character '\u00e9' in logical name 'caf\u00e9' detected"),
    ("", "empty filename"),
    ("  ~ ", "empty filename"),
])
def test_invalid_names(raw, message):
    with pytest.raises(InvalidLogicalName) as info:
        normalize_logical_name(raw)
    assert info.value.message == message
    assert info.value.code == -1
    assert isinstance(info.value, DomainError)


def test_first_broken_rule_wins_left_to_right():
    with pytest.raises(InvalidLogicalName, match="Scope is blank"):
        normalize_logical_name("a::::b*")
    with pytest.raises(InvalidLogicalName, match="Wildcards"):
        normalize_logical_name("a*::::b")


def test_destination_wrapper_text():
    err = InvalidLogicalName.destination("a::b*")
    assert (err.code, err.message) == (20052, "Invalid destination filename:'a::b*'")


def test_dali_xpath():
    assert parse_logical_name("thor::myfile").dali_xpath == 'Files/Scope[@name="thor"]/File[@name="myfile"]'
    assert parse_logical_name("x").dali_xpath == 'Files/File[@name="x"]'


def test_part_names_and_directories():
    assert part_file_name("people", 1, 3) == "people._1_of_3"
    assert part_file_name("People", 3, 3) == "people._3_of_3"
    assert part_file_name("single", 1, 1) == "single._1_of_1"
    assert part_mask("people") == "people._$P$_of_$N$"
    for bad in ((0, 3), (4, 3), (1, 0)):
        with pytest.raises(ValueError):
            part_file_name("x", *bad)
    assert logical_directory("~Tutorial::YN::People") == "tutorial/yn"
    assert logical_directory(".::myfile") == ""
    assert parse_logical_name(".::a::.::b::c").directory == "a/b"
    # a '..' scope can never climb out of the base directory, nor share a folder with another name
    assert logical_directory("..::..::x") == "%2E%2E/%2E%2E"
    assert logical_directory("%2e%2e::%2E%2E::x") == "%2e%2e/%2e%2e"
    assert part_file_name("..", 1, 2) == "%2E%2E._1_of_2"
