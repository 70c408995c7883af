"""Model files and the Topology that describes them: every malformed file is a ValueError
naming what is wrong, impossible values are refused, saving respects the umask, and
Topology / table10 bound sizes and name the argument in every refusal (issue #12)."""

import json
import math
import os
import stat
import struct
import tempfile
import time
import warnings
import zipfile

import numpy as np
import pytest
from conftest import random_case
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lstm97 import GROUPS, LSTM, TABLE10, Topology, table10
from lstm97.models import persistence
from lstm97.models.topology import MAX_BLOCKS, MAX_WEIGHTS

BAD_FILE = "not a valid lstm97 model file"


# ----------------------------------------------------------------------------- helpers


def _trained(seed=3):
    """A net (random topology, source masks) with non-trivial state: mid-sequence, a
    pending update, accumulated error."""
    for s in range(seed, seed + 200):
        net, inputs, targets, mask = random_case(s)
        if net.topology.source_masks is not None:
            break
    for t in range(len(inputs)):
        net.step(inputs[t], targets[t] if mask[t] else None)
    return net


def _contents(path):
    """``(meta dict, {name: array})`` of a model file."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def _write(path, meta, arrays):
    """A model file with the given header (a dict, or JSON text) and arrays."""
    text = meta if isinstance(meta, str) else json.dumps(meta)
    np.savez(path, meta=np.array(text), **arrays)
    return path


def _variant(tmp_path, edit, name="bad.npz", net=None):
    """A saved model file after ``edit(meta, arrays)`` changed its contents in place (or
    returned replacement header text)."""
    good = tmp_path / "good.npz"
    (net or _trained()).save(good)
    meta, arrays = _contents(good)
    replaced = edit(meta, arrays)
    return _write(tmp_path / name, replaced if isinstance(replaced, str) else meta, arrays)


def _refused(path, match=""):
    with pytest.raises(ValueError, match=BAD_FILE) as info:
        LSTM.load(path)
    assert type(info.value) is ValueError
    if match:
        assert match in str(info.value), str(info.value)
    return info.value


def _set_topology(**fields):
    def edit(meta, arrays):
        meta["topology"].update(fields)
    return edit


def _assert_same_net(a, b):
    assert a.topology == b.topology
    assert a.steps == b.steps and a.error == b.error
    for g in GROUPS:
        np.testing.assert_array_equal(a.get_weights()[g], b.get_weights()[g])
    sa, sb = a._core.state_arrays(), b._core.state_arrays()
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k])


def _patch_compression(data, member, method):
    """Zip bytes with ``member``'s compression method set to ``method`` in its local
    header and in the central directory."""
    data = bytearray(data)
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(data))) as z:
        offset = z.getinfo(member).header_offset
    struct.pack_into("<H", data, offset + 8, method)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + name_length] == member.encode():
            struct.pack_into("<H", data, position + 10, method)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("seed", range(40))
def test_random_nets_round_trip_exactly(tmp_path, seed):
    net, inputs, targets, mask = random_case(seed)
    for t in range(len(inputs)):
        net.step(inputs[t], targets[t] if mask[t] else None)
    net.save(tmp_path / "net.npz")
    _assert_same_net(LSTM.load(tmp_path / "net.npz"), net)
    assert Topology.from_dict(json.loads(json.dumps(net.topology.to_dict()))) == net.topology


def test_a_header_with_masks_over_many_sources_still_loads(tmp_path):
    # the bound on the header grows with the weight matrices: whatever save writes, load reads
    n = 150_000
    top = Topology(n, 1, (1,), source_masks={g: np.arange(n + 4) % 3 == 0 for g in GROUPS[:-1]})
    net = LSTM(top, rng=0)
    net.save(tmp_path / "wide.npz")
    assert os.path.getsize(tmp_path / "wide.npz") > 0
    _assert_same_net(LSTM.load(tmp_path / "wide.npz"), net)


# ----------------------------------------------------------------------------- item 6


def _nested_meta(depth):
    return ('{"format": "lstm97-model", "version": 1, "steps": 0, "error": 0.0, "topology": '
            + "[" * depth + "]" * depth + "}")


MALFORMED_HEADERS = [
    # huge or non-integer counts
    ("steps 1e400", lambda m, a: json.dumps(m).replace('"steps": 8', '"steps": 1e400'), "steps"),
    ("steps 10**30", lambda m, a: m.update(steps=10**30), "steps"),
    ("n_inputs 1e12", _set_topology(n_inputs=1e12), "n_inputs"),
    ("n_inputs 2**40", _set_topology(n_inputs=2**40), "n_inputs"),
    ("blocks 10**6 x 1000", _set_topology(block_sizes=[10**6] * 1000), "too large"),
    ("n_hidden 10**9", _set_topology(n_hidden=10**9), "n_hidden"),
    # masks of the wrong type
    ("masks a list", _set_topology(source_masks=[]), "source_masks"),
    ("masks an int", _set_topology(source_masks=5), "source_masks"),
    ("mask a string", _set_topology(source_masks={"cell": "true"}), "source_masks['cell']"),
    ("mask of ints", _set_topology(source_masks={"cell": [1] * 9}), "source_masks['cell']"),
    ("mask ragged", _set_topology(source_masks={"cell": [[True], [True, False]]}), "source_masks['cell']"),
    # deep nesting
    ("nested 100,000 in topology", lambda m, a: _nested_meta(100_000), "nested too deeply"),
    ("nested 100,000 at the top", lambda m, a: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("nested 50", lambda m, a: _nested_meta(50), "levels deep"),
    # a topology or header of the wrong kind
    ("topology a list", lambda m, a: m.update(topology=[1, 2]), "topology"),
    ("topology a string", lambda m, a: m.update(topology="n_inputs"), "topology"),
    ("topology missing a field", lambda m, a: m["topology"].pop("n_inputs"), "n_inputs"),
    ("block_sizes an int", _set_topology(block_sizes=4), "block_sizes"),
    ("connectivity a list", _set_topology(connectivity=["F"]), "connectivity"),
    ("header a list", lambda m, a: "[1, 2]", "lstm97 model format"),
    ("header not JSON", lambda m, a: "{", "not valid JSON"),
    ("duplicate key", lambda m, a: json.dumps(m)[:-1] + ', "steps": 3}', "twice"),
    ("int beyond str digits", lambda m, a: json.dumps(m).replace('"steps": 8', '"steps": ' + "9" * 5000),
     ""),
]


@pytest.mark.parametrize("case, edit, match", MALFORMED_HEADERS, ids=[c[0] for c in MALFORMED_HEADERS])
def test_malformed_headers_are_value_errors_naming_the_field(tmp_path, case, edit, match):
    net = _trained()
    net._core.set_counters(8, net.error)   # so that '"steps": 8' appears in the header
    _refused(_variant(tmp_path, edit, net=net), match)


def test_a_huge_topology_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    # valid on its own (within MAX_WEIGHTS), but the arrays do not have its shapes: nothing
    # of its size is allocated, and the network is never set up
    path = _variant(tmp_path, _set_topology(n_inputs=10_000_000, block_sizes=[1, 1], source_masks=None,
                                            input_gate_bias=None, output_gate_bias=None))
    built = []
    monkeypatch.setattr(LSTM, "_setup", lambda self, top: built.append(top))
    start = time.perf_counter()
    _refused(path, "must have shape")
    assert time.perf_counter() - start < 2 and built == []


def _member_bytes(path, replace):
    """The zip at ``path`` with members' raw bytes replaced: ``{member: bytes}``."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    members.update(replace)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_an_array_header_claiming_terabytes_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.npz"
    _trained().save(path)
    header = __import__("io").BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**6, 10**6)})
    _member_bytes(path, {"weights.cell.npy": header.getvalue() + bytes(64)})
    _refused(path, "weights.cell")


def test_empty_truncated_and_foreign_files_are_value_errors(tmp_path):
    good = tmp_path / "good.npz"
    _trained().save(good)
    data = good.read_bytes()
    (tmp_path / "empty.npz").write_bytes(b"")
    (tmp_path / "short.npz").write_bytes(data[:40])
    (tmp_path / "tail.npz").write_bytes(data[:-30])
    np.save(tmp_path / "plain.npy", np.arange(3))
    for name in ("empty.npz", "short.npz", "tail.npz", "plain.npy"):
        _refused(tmp_path / name)
    with pytest.raises(FileNotFoundError):
        LSTM.load(tmp_path / "missing.npz")


@pytest.mark.parametrize("method", [99, zipfile.ZIP_BZIP2, 1])
def test_an_unknown_compression_method_is_a_value_error(tmp_path, method):
    good = tmp_path / "good.npz"
    _trained().save(good)
    (tmp_path / "odd.npz").write_bytes(_patch_compression(good.read_bytes(), "weights.cell.npy", method))
    _refused(tmp_path / "odd.npz", "compression method")


def test_a_deflated_file_loads(tmp_path):
    net = _trained()
    net.save(tmp_path / "good.npz")
    meta, arrays = _contents(tmp_path / "good.npz")
    np.savez_compressed(tmp_path / "deflated.npz", meta=np.array(json.dumps(meta)), **arrays)
    _assert_same_net(LSTM.load(tmp_path / "deflated.npz"), net)


@pytest.mark.parametrize("meta", [
    np.array(5), np.array(1.5), np.array([1, 2]), np.array(b'{"format": "lstm97-model"}'),
    np.array(['{"format": "lstm97-model"}']), np.zeros((2, 2)),
], ids=["int", "float", "int vector", "bytes", "string vector", "matrix"])
def test_a_meta_that_is_not_a_string_is_a_value_error(tmp_path, meta):
    path = tmp_path / "good.npz"
    _trained().save(path)
    _, arrays = _contents(path)
    np.savez(tmp_path / "bad.npz", meta=meta, **arrays)
    _refused(tmp_path / "bad.npz", "meta must be a JSON string")


def test_a_header_far_longer_than_any_model_needs_is_refused(tmp_path):
    def pad(meta, arrays):
        return json.dumps(meta) + " " * (persistence._META_BASE + 10**6)
    _refused(_variant(tmp_path, pad), "characters long")


# ----------------------------------------------------------------------------- item 7


IMPOSSIBLE_VALUES = [
    ("error NaN", lambda m, a: m.update(error=float("nan")), "error"),
    ("error inf", lambda m, a: m.update(error=float("inf")), "error"),
    ("error negative", lambda m, a: m.update(error=-0.5), "error"),
    ("error a string", lambda m, a: m.update(error="0.5"), "error"),
    ("error 10**400", lambda m, a: m.update(error=10**400), "error"),
    ("steps negative", lambda m, a: m.update(steps=-1), "steps"),
    ("steps a float", lambda m, a: m.update(steps=2.5), "steps"),
    ("steps integral float", lambda m, a: m.update(steps=3.0), "steps"),
    ("steps a bool", lambda m, a: m.update(steps=True), "steps"),
    ("steps a string", lambda m, a: m.update(steps="3"), "steps"),
    ("version a bool", lambda m, a: m.update(version=True), "version"),
    ("version a float", lambda m, a: m.update(version=1.0), "version"),
    ("meta field unknown", lambda m, a: m.update(colour="red"), "colour"),
    ("meta field missing", lambda m, a: m.pop("error"), "error"),
    ("topology field unknown", _set_topology(colour=1), "colour"),
    ("array unknown", lambda m, a: a.update({"extra": np.zeros(3)}), "extra"),
    ("array unknown state", lambda m, a: a.update({"state.backup": np.zeros(3)}), "state.backup"),
    ("array missing weights", lambda m, a: a.pop("weights.cell"), "weights.cell"),
    ("array missing state", lambda m, a: a.pop("state.update"), "state.update"),
    ("bias activation", lambda m, a: a["state.activations"].__setitem__(0, 0.5), "bias unit"),
    ("gate activation", lambda m, a: a["state.activations"].__setitem__(1, 5.0), "[0, 1]"),
    ("state NaN", lambda m, a: a["state.cell_state"].__setitem__(0, np.nan), "state.cell_state"),
    ("weight inf", lambda m, a: a["weights.output"].__setitem__((0, 0), np.inf), "weights.output"),
]
for _name in ("weights.cell", "weights.output", "state.update", "state.cell_state", "state.activations"):
    for _dtype in (np.complex128, np.bool_, np.int64, np.uint8, "datetime64[s]", "timedelta64[s]",
                   np.longdouble, "U8", "S8", [("a", "<f8")]):
        IMPOSSIBLE_VALUES.append((f"{_name} {np.dtype(_dtype)}",
                                  lambda m, a, n=_name, d=_dtype: a.update({n: a[n].astype(d)}), _name))


@pytest.mark.parametrize("case, edit, match", IMPOSSIBLE_VALUES, ids=[c[0] for c in IMPOSSIBLE_VALUES])
def test_impossible_values_are_refused(tmp_path, case, edit, match):
    _refused(_variant(tmp_path, edit), match)


@pytest.mark.parametrize("name", ["weights.cell", "state.trace_cell"])
def test_object_arrays_are_refused_and_never_unpickled(tmp_path, name):
    def edit(meta, arrays):
        arrays[name] = arrays[name].astype(object)
    path = tmp_path / "good.npz"
    _trained().save(path)
    meta, arrays = _contents(path)
    edit(meta, arrays)
    np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps(meta)), **arrays)   # pickles
    _refused(tmp_path / "bad.npz", name)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, ">f8"])
def test_real_float_arrays_that_cast_exactly_load(tmp_path, dtype):
    net = _trained()
    net.save(tmp_path / "good.npz")
    meta, arrays = _contents(tmp_path / "good.npz")
    arrays = {k: v.astype(dtype) for k, v in arrays.items()}
    loaded = LSTM.load(_write(tmp_path / "cast.npz", meta, arrays))
    for g in GROUPS:
        np.testing.assert_array_equal(loaded.get_weights()[g], arrays[f"weights.{g}"].astype(np.float64))


# ----------------------------------------------------------------------------- item 12


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077, 0o000])
def test_save_gives_the_file_the_mode_the_umask_allows(tmp_path, umask):
    net = _trained()
    old = os.umask(umask)
    try:
        net.save(tmp_path / "net.npz")
        np.savez(tmp_path / "numpy.npz", a=np.zeros(1))
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(tmp_path / "net.npz").st_mode)
    assert mode == 0o666 & ~umask == stat.S_IMODE(os.stat(tmp_path / "numpy.npz").st_mode)


@pytest.mark.parametrize("where", ["savez", "replace"])
def test_an_interrupted_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, where):
    net = _trained()
    net.save(tmp_path / "net.npz")
    before = (tmp_path / "net.npz").read_bytes()
    real_savez = np.savez

    def savez(f, **arrays):   # half a file, then Ctrl-C
        real_savez(f, **arrays)
        f.truncate(100)
        raise KeyboardInterrupt

    def replace(src, dst):
        raise KeyboardInterrupt

    if where == "savez":
        monkeypatch.setattr(persistence.np, "savez", savez)
    else:
        monkeypatch.setattr(persistence.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        net.save(tmp_path / "net.npz")
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]
    assert (tmp_path / "net.npz").read_bytes() == before


# ----------------------------------------------------------------------------- items 8, 9, 10


BASE = {"n_inputs": 2, "n_outputs": 1, "block_sizes": (2, 2)}


@pytest.mark.parametrize("field, value", [
    ("h_range", 10**400), ("g_range", 10**400), ("init_range", 10**400), ("h_range", -(10**400)),
    ("input_gate_bias", (0.0, 10**400)), ("output_gate_bias", (10**400, 0.0)),
    ("init_range", 1e308),
])
def test_float_fields_beyond_the_float_range_are_value_errors(field, value):
    with pytest.raises(ValueError, match=field):
        Topology(**{**BASE, field: value})


@pytest.mark.parametrize("kwargs, match", [
    ({"n_inputs": 5, "n_outputs": 2**31 - 1, "block_sizes": (2, 2)}, "n_outputs must be at most 100,000,000"),
    ({"n_inputs": 2**40, "n_outputs": 1, "block_sizes": (2,)}, "n_inputs must be at most"),
    (dict(BASE, n_hidden=10**9), "n_hidden must be at most"),
    (dict(BASE, block_sizes=(2, 10**12)), r"block_sizes\[1\] must be at most"),
    (dict(BASE, block_sizes=[10**6] * 1000), "at most 100,000,000 are allowed"),
    (dict(BASE, block_sizes=(1,) * (MAX_BLOCKS + 1)), f"at most {MAX_BLOCKS} memory-cell blocks"),
    (dict(BASE, block_sizes=range(1, 10**20)), "block_sizes is far too long"),
    ({"n_inputs": 10**4, "n_outputs": 10**4, "block_sizes": (1,)}, "too large"),
])
def test_sizes_beyond_the_bounds_are_refused_at_once(kwargs, match):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        Topology(**kwargs)
    assert time.perf_counter() - start < 1


def test_the_size_bound_is_exact_and_far_from_the_papers_nets():
    # (2 hidden units + 2 outputs) x (n_inputs + 3 sources) entries, at the bound and one past it
    n = MAX_WEIGHTS // 4 - 3
    top = Topology(n, 2, (1,), output_gates=False)
    assert (top.n_units + top.n_outputs) * top.n_sources == MAX_WEIGHTS
    with pytest.raises(ValueError, match="too large"):
        Topology(n + 1, 2, (1,), output_gates=False)
    largest = max((t.topology.n_units + t.topology.n_outputs) * t.topology.n_sources for t in TABLE10.values())
    assert largest * 1000 < MAX_WEIGHTS


@pytest.mark.parametrize("kwargs, error, match", [
    ({"source_masks": 7}, TypeError, "source_masks must be a mapping"),
    ({"source_masks": "cell"}, TypeError, "source_masks must be a mapping"),
    ({"source_masks": [("cell",)]}, TypeError, "source_masks must be a mapping"),
    ({"source_masks": {1: np.ones(11, bool)}}, TypeError, "source_masks keys must be group names"),
    ({"source_masks": {("cell",): np.ones(11, bool)}}, TypeError, "source_masks keys"),
    ({"source_masks": {"cell": [[True], [True, False]]}}, TypeError, r"source_masks\['cell'\]"),
    ({"source_masks": [("cell", np.ones(11, bool)), ("cell", np.ones(11, bool))]}, ValueError, "twice"),
    ({"connectivity": np.array(["F", "B"])}, TypeError, "connectivity must be a str"),
    ({"connectivity": None}, TypeError, "connectivity must be a str"),
    ({"bias": ["all"]}, TypeError, "bias must be a str"),
    ({"h": None}, TypeError, "h must be a str"),
    ({"g": np.array("sigmoid")}, TypeError, "g must be a str"),
    ({"block_sizes": (2.0, 2)}, TypeError, r"block_sizes\[0\] must be an integer"),
    ({"block_sizes": np.array([2, 2])}, TypeError, "block_sizes must be a sequence"),
    ({"block_sizes": "22"}, TypeError, "block_sizes must be a sequence"),
    ({"n_inputs": True}, TypeError, "n_inputs must be an integer"),
    ({"n_outputs": None}, TypeError, "n_outputs must be an integer"),
    ({"output_gates": "yes"}, TypeError, "output_gates must be True or False"),
    ({"input_gate_bias": 5.0}, TypeError, "input_gate_bias must be a sequence"),
    ({"input_gate_bias": (1.0, "2")}, TypeError, r"input_gate_bias\[1\] must be a real number"),
    ({"init_range": [0.1]}, TypeError, "init_range must be a real number"),
    ({"h_range": None}, TypeError, "h_range must be a real number"),
])
def test_refusals_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        Topology(**{**BASE, **kwargs})


@pytest.mark.parametrize("d, error, match", [
    (7, TypeError, "must be a mapping"),
    ([("n_inputs", 1)], TypeError, "must be a mapping"),
    ({"n_inputs": 1, "n_outputs": 1}, ValueError, "missing topology fields: block_sizes"),
    ({"n_inputs": 1, "n_outputs": 1, "block_sizes": 5}, TypeError, "block_sizes must be a sequence"),
    ({"n_inputs": 1, "n_outputs": 1, "block_sizes": [1], "source_masks": [1]}, TypeError, "source_masks"),
    ({"n_inputs": 1, "n_outputs": 1, "block_sizes": [1], "source_masks": {"cell": "x"}}, ValueError,
     r"source_masks\['cell'\]"),
    ({"n_inputs": 1, "n_outputs": 1, "block_sizes": [1], 3: 4}, ValueError, "unknown topology fields: 3"),
])
def test_from_dict_names_the_field(d, error, match):
    with pytest.raises(error, match=match):
        Topology.from_dict(d)


@pytest.mark.parametrize("name, error", [
    ([], TypeError), ({}, TypeError), (None, TypeError), (41, TypeError), (np.array(["4-1"]), TypeError),
    ("7-1", ValueError), ("", ValueError),
])
def test_table10_names_its_argument(name, error):
    with pytest.raises(error, match="name must"):
        table10(name)
    assert table10("4-1") is TABLE10["4-1"].topology


# ----------------------------------------------------------------------------- hypothesis


def _base_files():
    net_a = _trained(3)
    net_b = LSTM(table10("3a"), rng=1)
    x = np.random.default_rng(0).normal(size=(12, 1))
    net_b.train_sequence(x, np.full((12, 1), 0.5), learning_rate=0.1)
    net_b.step(x[0])
    files = []
    with tempfile.TemporaryDirectory() as d:
        for i, net in enumerate((net_a, net_b)):
            net.save(os.path.join(d, f"{i}.npz"))
            files.append(_contents(os.path.join(d, f"{i}.npz")))
    return files


BASE_FILES = _base_files()

ODD_VALUES = st.sampled_from([None, True, False, 0, 1, -1, 2, 2.5, -0.5, 10**30, -(10**30), 1e400,
                              float("nan"), "", "x", "F", [], {}, [1, 2], [True], {"a": 1}, 10**400])


def _paths(value, prefix=()):
    """Every place in a JSON value: tuples of keys/indices."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):
            yield from _paths(v, (*prefix, i))


def _at(value, path):
    for p in path:
        value = value[p]
    return value


@st.composite
def mutated_files(draw):
    meta, arrays = draw(st.sampled_from(BASE_FILES))
    meta = json.loads(json.dumps(meta))
    arrays = {k: v.copy() for k, v in arrays.items()}
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        where = draw(st.sampled_from(["header", "array", "harmless"]))
        if where == "harmless":   # changes that leave a valid file
            name = draw(st.sampled_from(sorted(arrays)))
            if name != "meta" and draw(st.booleans()):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    arrays[name] = arrays[name].astype(draw(st.sampled_from([np.float32, np.float16, ">f8"])))
            else:
                key = draw(st.sampled_from(["steps", "error"]))
                if key in meta and isinstance(meta[key], (int, float)) and not isinstance(meta[key], bool):
                    meta[key] = type(meta[key])(abs(meta[key]) * draw(st.sampled_from([0, 2, 10**6])))
        elif where == "header":
            path = draw(st.sampled_from([p for p in _paths(meta) if p]))
            parent, key = _at(meta, path[:-1]), path[-1]
            old = parent[key]
            kind = draw(st.sampled_from(["drop", "value", "scale", "negate", "wrap", "string"]))
            if kind == "drop":
                del parent[key]
            elif kind == "value":
                parent[key] = draw(ODD_VALUES)
            elif kind == "scale" and isinstance(old, (int, float)) and not isinstance(old, bool):
                parent[key] = old * draw(st.sampled_from([0, 2, 10**3, 10**9, 10**20, 0.5, 1e300]))
            elif kind == "negate" and isinstance(old, (int, float)):
                parent[key] = -old
            elif kind == "wrap":
                parent[key] = [old]
            else:
                parent[key] = str(old)
        else:   # an array
            name = draw(st.sampled_from(sorted(arrays)))
            arr = arrays[name]
            kind = draw(st.sampled_from(["drop", "dtype", "shape", "value", "extra"]))
            if kind == "drop":
                del arrays[name]
            elif kind == "dtype":
                # the float types that cast exactly come up most often: those files load
                dtype = draw(st.sampled_from([np.float32, np.float32, np.float16, ">f8", ">f4",
                                              np.int64, np.int8, np.bool_,
                                              np.complex128, "datetime64[s]", ">f8", np.longdouble,
                                              "U4", object]))
                try:
                    with warnings.catch_warnings():   # complex to real, overflow to inf ...
                        warnings.simplefilter("ignore")
                        arrays[name] = arr.astype(dtype)
                except (TypeError, ValueError, RuntimeError):   # e.g. meta to a float
                    pass
            elif kind == "shape":
                flat = arr.ravel()
                arrays[name] = draw(st.sampled_from([
                    flat, arr.T, arr[None], np.concatenate([flat, flat[:1]]), flat[:-1], flat[:0],
                    np.zeros((2,) * 3)]))
            elif kind == "value" and arr.size and arr.dtype.kind == "f":
                arr.ravel()[draw(st.integers(0, arr.size - 1))] = draw(st.sampled_from(
                    [np.nan, np.inf, -np.inf, 1e308, -1.0, 0.0, 2.0, 1e-300]))
            else:
                arrays[draw(st.sampled_from(["extra", "state.backup", "weights.gate", "meta2"]))] = np.zeros(2)
    return meta, arrays


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files())
def test_mutated_files_load_as_valid_nets_or_raise_value_error(case):
    meta, arrays = case
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.npz")
        np.savez(path, meta=np.array(json.dumps(meta)), **arrays)   # object arrays are pickled
        try:
            net = LSTM.load(path)
        except ValueError as exc:
            assert type(exc) is ValueError and BAD_FILE in str(exc)
            event("refused")
            return
        event("loaded")
        # it loaded: it is a valid net, what a valid net's file holds, and it saves and
        # loads as itself
        assert isinstance(net.steps, int) and net.steps >= 0
        assert math.isfinite(net.error) and net.error >= 0
        fresh = LSTM(net.topology)
        fresh.set_weights(net.get_weights())
        for g in GROUPS:
            np.testing.assert_array_equal(net.get_weights()[g], np.asarray(arrays[f"weights.{g}"], np.float64))
        for k, v in net._core.state_arrays().items():
            assert np.isfinite(v).all()
            if k != "weights":
                np.testing.assert_array_equal(v, np.asarray(arrays[f"state.{k}"], np.float64))
        net.save(os.path.join(d, "again.npz"))
        _assert_same_net(LSTM.load(os.path.join(d, "again.npz")), net)


def test_save_and_load_name_the_path_argument(tmp_path, monkeypatch):
    net = _trained()
    monkeypatch.chdir(tmp_path)
    for path, error in [(None, TypeError), (5, TypeError), ("", ValueError), (".", ValueError),
                        (str(tmp_path), ValueError), ("net/", ValueError), ("n\x00.npz", ValueError)]:
        with pytest.raises(error, match="path"):
            net.save(path)
    with pytest.raises(TypeError, match="path must be"):
        LSTM.load(None)
    net.save(os.fsencode(tmp_path / "bytes.npz"))      # a bytes path, and a name near NAME_MAX
    net.save("n" * 250 + ".npz")
    _assert_same_net(LSTM.load(os.fsencode(tmp_path / "bytes.npz")), net)
    _assert_same_net(LSTM.load("n" * 250 + ".npz"), net)
    with open(tmp_path / "bytes.npz", "rb") as f:   # an open file
        _assert_same_net(LSTM.load(f), net)
    assert sorted(os.listdir(tmp_path)) == sorted(["bytes.npz", "n" * 250 + ".npz"])


def test_a_value_nested_too_deeply_to_print_is_still_refused_by_name():
    deep = []
    for _ in range(5000):
        deep = [deep]
    for kwargs, match in [({"block_sizes": (deep,)}, r"block_sizes\[0\]"), ({"h_range": deep}, "h_range"),
                          ({"input_gate_bias": (deep, 1.0)}, r"input_gate_bias\[0\]"), ({"bias": deep}, "bias"),
                          ({"source_masks": {"cell": deep}}, r"source_masks\['cell'\]"),
                          ({"output_gates": deep}, "output_gates")]:
        with pytest.raises(TypeError, match=match):
            Topology(**{**BASE, **kwargs})
    with pytest.raises(TypeError, match="name must"):
        table10(deep)
    with pytest.raises(TypeError, match="path must"):
        LSTM(table10("4-1")).save(deep)
