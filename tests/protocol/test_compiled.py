"""The compiled writers (esp/compiled.py) against the model path (codec.encode, jsoncodec): the
same bytes on every response type of every service, for instances with every field set, with
none set, with random subsets (empty arrays, None items, awkward text), and on light Records."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from wsservices.app import SERVICE_CLASSES
from wsservices.esp import codec, compiled, jsoncodec
from wsservices.esp.codec import array_item, is_complex, is_many, new
from spyne.model.binary import ByteArray
from spyne.model.primitive import Boolean, DateTime, Decimal, Integer

TEXTS = ("plain", "", "a<b>&\"c'", "tab\tnew\nline\x01\x7f", "é/ü \u2028", "x" * 3)
CASES = [(cls, op) for cls in SERVICE_CLASSES
         for op in list(cls.contract.OPERATIONS) + list(cls.extra_operations)]


def _value(t: type, rng: random.Random, depth: int, fill: float):
    if is_complex(t):
        return _instance(t, rng, depth + 1, fill)
    if issubclass(t, Boolean):
        return rng.choice((True, False))
    if issubclass(t, Integer):
        return rng.choice((0, 1, -7, 2**40, 32716))
    if issubclass(t, Decimal):
        return rng.choice((0.0, 1.5, 3.14159265358979, 1e20, float("nan")))
    if issubclass(t, DateTime):
        return dt.datetime(2024, 5, 6, 7, 8, 9)
    if issubclass(t, ByteArray):
        return [b"\x00bin"]
    return rng.choice(TEXTS)


def _instance(model: type, rng: random.Random, depth: int = 0, fill: float = 1.0):
    inst = new(model)
    if depth > 4:
        return inst
    for name, t in model._type_info.items():
        if rng.random() > fill:
            continue
        if name == "Exceptions" and fill < 1.0 and rng.random() < 0.7:
            continue
        if is_many(t):
            setattr(inst, name, [_value(t, rng, depth, fill) for _ in range(rng.choice((0, 1, 2)))])
            continue
        item = array_item(t) if is_complex(t) else None
        if item is not None:
            wrapper = new(t)
            count = rng.choice((0, 1, 3))
            setattr(wrapper, item[0], [_value(item[1], rng, depth + 1, fill) for _ in range(count)]
                    if rng.random() > 0.1 else None)
            setattr(inst, name, wrapper)
        else:
            setattr(inst, name, _value(t, rng, depth, fill))
    return inst


def _as_record(inst):
    """A spyne instance as light Records, recursively (what a fast service method returns)."""
    if isinstance(inst, list):
        return [_as_record(v) for v in inst]
    if not hasattr(inst, "_type_info"):
        return inst
    return compiled.Record(**{k: _as_record(v) for k, v in vars(inst).items() if v is not None})


def _both(inst, model, tag, nil_remove, version=None):
    out: list[str] = []
    codec.encode(inst, model, tag, out, nil_remove, attrs=' xmlns="urn:x"', version=version)
    xml = "".join(out)
    json_text = jsoncodec.document(inst, model, tag, nil_remove, version)
    w = compiled.writer(model, nil_remove, version)
    fast: list[str] = []
    w.xml(inst, tag, fast, attrs=' xmlns="urn:x"')
    return (xml, json_text), ("".join(fast), w.document(inst, tag))


@pytest.mark.parametrize("cls,op", CASES, ids=[f"{c.__name__}.{o.name}" for c, o in CASES])
def test_every_response_type_writes_the_same_bytes(cls, op):
    rng = random.Random(op.name)
    nil_remove = cls.nil_remove | cls.always_nil_remove
    variants = [new(op.response), _instance(op.response, rng)]
    variants += [_instance(op.response, rng, fill=f) for f in (0.3, 0.5, 0.8) for _ in range(4)]
    for inst in variants:
        for omit in (nil_remove, frozenset(), frozenset({op.response_name})):
            model_path, fast_path = _both(inst, op.response, op.response_name, omit)
            assert fast_path == model_path
            assert _both(_as_record(inst), op.response, op.response_name, omit)[1] == model_path
    for version in (0.0, 1.0, 1.16, 1.5, float(getattr(cls.versions, "DEFAULT_CLIENT_VERSION", 2))):  # filtered alike
        for inst in variants[:6]:
            model_path, fast_path = _both(inst, op.response, op.response_name, nil_remove, version)
            assert fast_path == model_path


def test_the_generated_cases_cover_the_awkward_shapes():
    """Not vacuous: the variants do hit escapes, empty wrappers, and inline Exceptions."""
    from wsservices.wsdfu.service import WsDfu
    op = next(o for o in WsDfu.contract.OPERATIONS if o.name == "DFUQuery")
    rng = random.Random("DFUQuery")
    texts = [_both(_instance(op.response, rng, fill=0.5), op.response, op.response_name, frozenset())[0][0]
             for _ in range(20)]
    assert any("&lt;b&gt;&amp;&quot;c&apos;" in t for t in texts)
    assert any("<Exceptions>" in t for t in texts) and any("<DFULogicalFiles>" in t for t in texts)


def test_writers_are_shared_and_recursive_types_terminate():
    from wsservices.wsdfu import models
    a = compiled.writer(models.DFUQueryResponse, frozenset())
    assert compiled.writer(models.DFUQueryResponse, frozenset()) is a
    assert compiled.writer(models.DFUQueryResponse, frozenset(), version=1.5) is not a


def test_the_generated_functions_follow_the_plan():
    """The straight-line writers are generated from the plan's field list: a field left out of
    the plan (as per-version filtering will do) is left out of both the XML and the JSON."""
    from wsservices.wsdfu import models
    w = compiled.Writer(models.DFULogicalFile, frozenset())
    w.plan()
    row = compiled.record(models.DFULogicalFile, Name="a::b", Owner="alice", IntSize=12)
    assert '<Owner>alice</Owner>' in _xml(w, row) and '"Owner": "alice"' in w.json(row)
    fresh = compiled.Writer(models.DFULogicalFile, frozenset())
    fresh.plan()
    fresh.fields = [f for f in fresh.fields if f.name != "Owner"]
    assert "<Owner>" not in _xml(fresh, row) and '"Owner"' not in fresh.json(row)
    assert "<IntSize>12</IntSize>" in _xml(fresh, row) and '"IntSize": 12' in fresh.json(row)
    assert fresh.json(row) == w.json_reference(row).replace('"Owner": "alice", ', "")
    reference: list[str] = []
    w.xml_reference(row, "Row", reference)
    assert _xml(w, row) == "".join(reference)


def _xml(w, inst) -> str:
    out: list[str] = []
    w.xml(inst, "Row", out)
    return "".join(out)
