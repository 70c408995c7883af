"""Model files: an LSTM's weights and full training state in an ``.npz`` with a JSON header.

The file holds ``meta`` (a JSON string: format name and version, the topology, the step
counter and the accumulated error), ``weights.<group>`` for every group as
:meth:`LSTM.get_weights` lays them out, and ``state.<name>`` for every array that carries
state from one step to the next.  Nothing else: it is a zip of ``.npy`` members, stored
or deflated, and no member is ever unpickled.

A standard recurrent net's file (:class:`~lstm97.models.recurrent.RecurrentNet`, format
``lstm97-recurrent-net``) holds ``meta`` (format, version, the topology with its masks,
the learner and its window) and ``weights``: between training calls its weights are its
whole state.  Both formats share the writer and the checks of the zip and its members.

:func:`load` answers every file that is not such a model with ``ValueError`` naming what is
wrong (only a missing file is a ``FileNotFoundError``).  It reads the zip directory and
every member's ``.npy`` header first, checks the declared sizes and dtypes against each
other and against the topology in ``meta`` (itself bounded by
:data:`~lstm97.models.topology.MAX_WEIGHTS`), and allocates and builds only then.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import secrets
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .. import _core
from .._validation import check_int, check_real
from .topology import GROUPS, MAX_WEIGHTS, Topology, shown

__all__ = ["FORMAT", "FORMAT_VERSION", "RECURRENT_FORMAT", "load", "save"]

FORMAT = "lstm97-model"
FORMAT_VERSION = 1

#: The fields of ``meta``, all required.
META_FIELDS = ("format", "version", "topology", "steps", "error")

#: The state arrays a file holds: the core's, bar the weights (stored per group).
STATE_NAMES = tuple(name for name in _core.STATE_ARRAYS if name != "weights")

#: Every array of a model file, ``meta`` first.
ARRAY_NAMES = ("meta", *(f"weights.{g}" for g in GROUPS), *(f"state.{k}" for k in STATE_NAMES))

# ``meta`` may hold this many characters plus _META_PER_SOURCE per source (the weight
# matrices' columns): enough for every field and for source masks of all five groups
# (``"false, "`` is 7 characters), so whatever save() writes, load() reads.
_META_BASE = 2**22
_META_PER_SOURCE = 40
# A valid header nests 4 deep (meta, topology, source_masks, a mask).
_MAX_JSON_DEPTH = 8
# Deflate expands at most 1032-fold (258 bytes from 2 bits), so a member claiming more is
# lying, and what load() allocates stays within a fixed multiple of the file's size.
_MAX_DEFLATE_RATIO = 1040
# Data is read in pieces of this many bytes, into an array allocated once.
_READ_CHUNK = 2**24


class _Malformed(ValueError):
    """What is wrong with the file; load() adds the file's name."""


# ----------------------------------------------------------------------------- save


def save(net, path) -> None:
    """Write the network and its full state to an ``.npz`` file (with a JSON header).

    The state includes cell states, activations, traces and any pending update, so
    a stream resumed from the file continues bit for bit.  The file is written to a
    temporary name in the same directory, flushed to disk, and renamed, so an
    interrupted save never leaves a half-written file behind (and removes its temporary
    file).  Like :func:`numpy.savez`, the new file gets mode ``0o666`` minus the umask.

    ``path`` (str, bytes or os.PathLike; otherwise ``TypeError``) must name a file that
    can be written: an empty path, one with a NUL, one that names a directory, lies in a
    missing directory, is too long or may not be written is a ``ValueError`` naming it.
    What goes wrong while writing (a full disk, an I/O error) is the ``OSError`` it raises.
    """
    path = _path_argument(path)
    if path == "":
        raise ValueError("path is empty; it must name the model file to write")
    if "\0" in path:
        raise ValueError(f"path contains a NUL character: {shown(path)}")
    if path.endswith((os.sep, os.altsep or os.sep)) or os.path.isdir(path):
        raise ValueError(f"path {shown(path)} is a directory; it must name the model file to write")
    meta, arrays = _contents(net)
    write_npz(path, meta, arrays)


def write_npz(path, meta, arrays) -> None:
    """Write ``meta`` (JSON-able, stored as the string member ``meta``) and ``arrays`` to the
    ``.npz`` file ``path`` (a str) so that it is there whole or not at all: a temporary file
    in the same directory, flushed to disk, then renamed (and removed if anything fails).
    A path that cannot be written is a ``ValueError`` naming it."""
    header = np.array(json.dumps(meta))
    tmp = None
    try:
        try:
            fd, tmp = _create_temporary(path)
        except OSError as exc:
            if exc.errno not in _BAD_PATH:
                raise
            raise ValueError(f"path {shown(path)} cannot be written: {exc.strerror}") from None
        with open(fd, "wb") as f:
            np.savez(f, meta=header, **arrays)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if exc.errno not in _BAD_PATH:
                raise
            raise ValueError(f"path {shown(path)} cannot be written: {exc.strerror}") from None
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _contents(net):
    """``(meta, arrays)`` of ``net``'s file: an LSTM's weights and state, or a standard
    recurrent net's weights with its learner."""
    if hasattr(net, "_core"):
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "topology": net.topology.to_dict(),
                "steps": net._core.t, "error": net._core.error}
        arrays = {f"weights.{g}": net._full(g) for g in GROUPS}
        arrays.update({f"state.{k}": v for k, v in net._core.state_arrays().items() if k != "weights"})
        return meta, arrays
    meta = {"format": RECURRENT_FORMAT, "version": FORMAT_VERSION, "topology": _recurrent_topology_dict(net.topology),
            "learner": net.learner, "window": net.window}
    return meta, {"weights": net.get_weights()}


#: What the operating system says when the path itself is what cannot be written.
_BAD_PATH = {errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EACCES, errno.EPERM, errno.EROFS,
             errno.EISDIR, errno.ELOOP}


#: The name of write_npz's temporary files: ``{}`` is a random hex string.
_TEMPORARY = ".lstm97-{}.tmp"


def remove_temporaries(directory) -> None:
    """Remove the temporary files that :func:`write_npz` left in ``directory`` when the
    process writing them was killed before it could remove them (SIGKILL, or a worker ended
    by its pool).  Only for a directory where nothing can be writing (under a lock, with no
    worker running): a write under way would lose its file."""
    for tmp in Path(directory).glob(_TEMPORARY.format("*")):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _create_temporary(path):
    """A new file next to ``path``, opened for writing: ``(fd, name)``.

    ``mkstemp`` would give mode 0600 whatever the umask; ``os.open`` with 0666 lets the
    umask (and a default ACL) decide, as for any file the process creates.
    """
    directory = os.path.dirname(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        # a short name of its own: one built from a long ``path`` could exceed NAME_MAX
        tmp = os.path.join(directory, _TEMPORARY.format(secrets.token_hex(8)))
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file next to {path!r}")


def _path_argument(path):
    """``path`` (str, bytes or os.PathLike) as a str; anything else is a TypeError."""
    if isinstance(path, (str, bytes, os.PathLike)):
        try:
            return os.fsdecode(os.fspath(path))
        except TypeError:   # a PathLike whose __fspath__ returns neither str nor bytes
            pass
    raise TypeError(f"path must be a str, bytes or os.PathLike, got {shown(path)}")


# ----------------------------------------------------------------------------- load


def load(cls, path):
    """Read a network of class ``cls`` (:class:`LSTM`) written by :func:`save`.

    ``path`` is a str, bytes or os.PathLike, or an open binary file.  Raises
    ``ValueError`` naming the problem for any file that is not a valid lstm97 model file
    (not a zip, a foreign or corrupt one, unknown or missing arrays, wrong dtypes or shapes,
    impossible values, a topology beyond the size bounds), ``FileNotFoundError`` if there
    is no file, and ``TypeError`` if ``path`` is none of the above.
    """
    if all(hasattr(path, attr) for attr in ("read", "seek", "tell")):
        name = source = path   # an open binary file
    else:
        name = source = _path_argument(path)
    try:
        with zipfile.ZipFile(source) as archive:
            return _read(cls, archive)
    except FileNotFoundError:
        raise
    except (_Malformed, zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError,
            TypeError, LookupError, OverflowError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError covers RecursionError and an encrypted member; each is a bad file
        raise ValueError(f"{name!r} is not a valid lstm97 model file: {exc}") from exc


def _read(cls, archive):
    if getattr(cls, "_file_format", FORMAT) == RECURRENT_FORMAT:
        return _read_recurrent(cls, archive)
    size = _archive_size(archive)
    members = _members(archive, size, ARRAY_NAMES)
    headers = {key: _npy_header(archive, info, key) for key, info in members.items()}
    for key, (shape, dtype, _, _) in headers.items():
        if key == "meta":
            if dtype.kind != "U" or shape != ():
                raise _Malformed(f"meta must be a JSON string (a 0-d unicode array), "
                                 f"got dtype {dtype} shape {shape}")
        elif dtype.kind != "f" or not np.can_cast(dtype, np.float64, "safe"):
            raise _Malformed(f"array {key!r} must hold real floats (float64, or a float type that "
                             f"casts to it exactly), got dtype {dtype}")
    n_sources = _declared_sources(headers)
    chars = headers["meta"][1].itemsize // 4
    limit = _META_BASE + _META_PER_SOURCE * n_sources
    if chars > limit:
        raise _Malformed(f"meta is {chars:,} characters long; a header for weight matrices of "
                         f"{n_sources:,} columns has at most {limit:,}")
    meta = _parse_meta(_data(archive, members["meta"], headers["meta"])[()])
    topology = meta["topology"]

    expected = _expected_shapes(topology)
    for key, shape in expected.items():
        if headers[key][0] != shape:
            raise _Malformed(f"array {key!r} must have shape {shape} for the topology in the header, "
                             f"got {headers[key][0]}")
    arrays = {}
    for key in expected:
        arr = _data(archive, members[key], headers[key]).astype(np.float64)
        if not np.isfinite(arr).all():
            raise _Malformed(f"array {key!r} contains NaN or inf")
        arrays[key] = arr
    _check_activations(topology, arrays["state.activations"])

    net = cls.__new__(cls)
    net._setup(topology)
    views = net._core.state_arrays()
    for k in STATE_NAMES:
        # the layout above is the core's; a mismatch is a bug here, not a bad file
        if views[k].shape != expected[f"state.{k}"]:
            raise AssertionError(f"state array {k!r}: the core has shape {views[k].shape}, "
                                 f"persistence expects {expected[f'state.{k}']}")
    net.set_weights({g: arrays[f"weights.{g}"] for g in GROUPS})
    for k in STATE_NAMES:
        views[k][...] = arrays[f"state.{k}"]
    net._core.set_counters(meta["steps"], meta["error"])
    return net


def _archive_size(archive):
    fp = archive.fp
    position = fp.tell()
    end = fp.seek(0, os.SEEK_END)
    fp.seek(position)
    return end


def _members(archive, size, names):
    """``{array name: ZipInfo}``, once every member is found to be one of ``names``, the
    arrays a model file of its format has."""
    members = {}
    for info in archive.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else None
        if key not in names:
            raise _Malformed(f"the file has a member {shown(info.filename)} that the format does not "
                             f"have; a model file holds {', '.join(names)} (as .npy)")
        if key in members:
            raise _Malformed(f"the file has array {key!r} twice")
        if info.flag_bits & 0x1:
            raise _Malformed(f"array {key!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = zipfile.compressor_names.get(info.compress_type, "unknown")
            raise _Malformed(f"array {key!r} uses zip compression method {info.compress_type} "
                             f"({method}); model files are stored or deflated")
        if info.compress_size > size or info.header_offset + info.compress_size > size:
            raise _Malformed(f"array {key!r} claims {info.compress_size:,} bytes at offset "
                             f"{info.header_offset:,} of a {size:,}-byte file")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise _Malformed(f"array {key!r} is stored uncompressed but its sizes disagree")
        if info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 2**16:
            raise _Malformed(f"array {key!r} claims {info.file_size:,} bytes from {info.compress_size:,} "
                             f"compressed; deflate cannot expand more than {_MAX_DEFLATE_RATIO}-fold")
        members[key] = info
    missing = [key for key in names if key not in members]
    if missing:
        raise _Malformed(f"the file has no array {', '.join(map(repr, missing))}")
    return members


def _npy_header(archive, info, key):
    """``(shape, dtype, fortran_order, data offset)`` from a member's ``.npy`` header."""
    with archive.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
        except ValueError as exc:
            raise _Malformed(f"array {key!r} is not a .npy array ({exc})") from None
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise _Malformed(f"array {key!r} has .npy format version {version}; model files use 1.0 or 2.0")
        offset = f.tell()
    if any(n < 0 for n in shape):
        raise _Malformed(f"array {key!r} has a negative dimension in its shape {shape}")
    nbytes = math.prod(shape) * dtype.itemsize
    if info.file_size != offset + nbytes:
        raise _Malformed(f"array {key!r} declares {info.file_size:,} bytes, but its header describes "
                         f"{offset + nbytes:,} (shape {shape}, dtype {dtype})")
    return shape, dtype, fortran_order, offset


def _declared_sources(headers):
    """The number of columns (sources) the weight matrices declare; all must agree."""
    columns = set()
    for g in GROUPS:
        shape = headers[f"weights.{g}"][0]
        if len(shape) != 2:
            raise _Malformed(f"array 'weights.{g}' must be a matrix (units, sources), got shape {shape}")
        columns.add(shape[1])
    for k in STATE_NAMES:
        shape = headers[f"state.{k}"][0]
        if len(shape) != 1:
            raise _Malformed(f"array 'state.{k}' must be a vector, got shape {shape}")
    if len(columns) != 1:
        raise _Malformed(f"the weight matrices disagree on the number of sources: {sorted(columns)}")
    (n_sources,) = columns
    return min(n_sources, MAX_WEIGHTS)


def _data(archive, info, header):
    """A member's array; its size has been checked against the bounds before this."""
    shape, dtype, fortran_order, offset = header
    nbytes = math.prod(shape) * dtype.itemsize
    buffer = np.empty(nbytes, dtype=np.uint8)
    with archive.open(info) as f:
        f.read(offset)
        filled = 0
        while filled < nbytes:
            piece = f.read(min(_READ_CHUNK, nbytes - filled))
            if not piece:
                raise _Malformed(f"array {info.filename[:-4]!r} ends early")
            buffer[filled:filled + len(piece)] = np.frombuffer(piece, dtype=np.uint8)
            filled += len(piece)
        f.read(1)   # reach the end, so zipfile checks the CRC
    if dtype.itemsize == 0:
        return np.zeros(shape, dtype=dtype)
    return buffer.view(dtype).reshape(shape, order="F" if fortran_order else "C")


def _header(text, format_name, fields):
    """The JSON header of a file of ``format_name``, with exactly ``fields``."""
    try:
        meta = json.loads(str(text), object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise _Malformed("meta is nested too deeply to be a model header") from None
    except json.JSONDecodeError as exc:
        raise _Malformed(f"meta is not valid JSON ({exc})") from None
    _check_depth(meta)
    if not isinstance(meta, dict) or meta.get("format") != format_name:
        what = "lstm97 model" if format_name == FORMAT else "lstm97 recurrent-net"
        raise _Malformed(f"the header does not name the {what} format")
    version = meta.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise _Malformed(f"format version {shown(version)} is not supported "
                         f"(this lstm97 reads version {FORMAT_VERSION})")
    unknown = [k for k in meta if k not in fields]
    if unknown:
        raise _Malformed(f"meta has fields the format does not have: {', '.join(map(shown, unknown))}")
    missing = [k for k in fields if k not in meta]
    if missing:
        raise _Malformed(f"meta is missing the field {', '.join(map(repr, missing))}")
    return meta


def _parse_meta(text):
    """The header, every field checked: ``format``, ``version``, ``topology`` (a
    :class:`Topology`), ``steps`` (an int) and ``error`` (a float)."""
    meta = _header(text, FORMAT, META_FIELDS)
    try:
        steps = check_int("steps", meta["steps"], 0)
        if steps > sys.maxsize:
            raise ValueError(f"steps must be at most {sys.maxsize}, got {shown(steps)}")
        error = check_real("error", meta["error"], 0.0)
    except (TypeError, ValueError) as exc:
        raise _Malformed(f"meta field {exc}") from None
    try:
        topology = Topology.from_dict(meta["topology"])
    except (TypeError, ValueError) as exc:
        raise _Malformed(f"meta field topology: {exc}") from None
    return {"topology": topology, "steps": steps, "error": error}


def _no_duplicate_keys(pairs):
    d = {}
    for key, value in pairs:
        if key in d:
            raise _Malformed(f"meta gives the key {shown(key)} twice")
        d[key] = value
    return d


def _check_depth(value):
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_JSON_DEPTH:
            raise _Malformed(f"meta nests more than {_MAX_JSON_DEPTH} levels deep; a model header has 4")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))


def _expected_shapes(topology):
    """The shape of every array of a model file of ``topology`` (the core's layout:
    compact update, one trace row per cell over the input-gate / cell sources)."""
    shapes = {f"weights.{g}": (topology.group_size(g), topology.n_sources) for g in GROUPS}
    width = {g: int(topology.source_mask(g).sum()) for g in ("input_gate", "cell")}
    layout = {"update": (topology.n_weights,),
              "trace_input_gate": (topology.n_cells * width["input_gate"],),
              "trace_cell": (topology.n_cells * width["cell"],),
              "cell_state": (topology.n_cells,),
              "activations": (1 + topology.n_units,)}
    shapes.update({f"state.{k}": layout[k] for k in STATE_NAMES})
    return shapes


def _check_activations(topology, activations):
    """The activations of the last step: [bias unit, conventional units, input gates,
    output gates, cells].  The bias unit is 1, logistic units lie in [0, 1], and cell
    outputs ``y_out h(s)`` within ``[-h_range, h_range]`` unless h is the identity."""
    if activations[0] != 1.0:
        raise _Malformed(f"array 'state.activations' starts with the bias unit, which is 1, "
                         f"got {activations[0]!r}")
    cells = len(activations) - topology.n_cells
    logistic = activations[1:cells]
    if ((logistic < 0) | (logistic > 1)).any():
        raise _Malformed("array 'state.activations' has a conventional unit or gate outside [0, 1]")
    if topology.h == "sigmoid" and (np.abs(activations[cells:]) > topology.h_range).any():
        raise _Malformed(f"array 'state.activations' has a cell output outside "
                         f"[-{topology.h_range!r}, {topology.h_range!r}]")


# ----------------------------------------------------------------------------- standard recurrent nets

#: A standard recurrent net's file (models.recurrent.RecurrentNet): ``meta`` and ``weights``.
RECURRENT_FORMAT = "lstm97-recurrent-net"
RECURRENT_META_FIELDS = ("format", "version", "topology", "learner", "window")
RECURRENT_ARRAY_NAMES = ("meta", "weights")


def _recurrent_topology_dict(topology):
    """A RecurrentTopology as JSON: its fields, masks as lists, NaN (a free weight) as null."""
    d = {f.name: getattr(topology, f.name) for f in dataclasses.fields(topology)}
    d["mask"] = topology.mask.tolist()
    d["outputs"], d["activations"], d["stages"] = list(d["outputs"]), list(d["activations"]), list(d["stages"])
    if topology.fixed is not None:
        d["fixed"] = [[None if np.isnan(v) else v for v in row] for row in topology.fixed.tolist()]
    return d


def _read_recurrent(cls, archive):
    from .recurrent import RecurrentTopology

    size = _archive_size(archive)
    members = _members(archive, size, RECURRENT_ARRAY_NAMES)
    headers = {key: _npy_header(archive, info, key) for key, info in members.items()}
    shape, dtype = headers["meta"][:2]
    if dtype.kind != "U" or shape != ():
        raise _Malformed(f"meta must be a JSON string (a 0-d unicode array), got dtype {dtype} shape {shape}")
    shape, dtype = headers["weights"][:2]
    if dtype.kind != "f" or not np.can_cast(dtype, np.float64, "safe") or len(shape) != 2:
        raise _Malformed(f"array 'weights' must be a matrix of real floats, got dtype {dtype} shape {shape}")
    if math.prod(shape) > MAX_WEIGHTS:
        raise _Malformed(f"array 'weights' has {math.prod(shape):,} entries, more than {MAX_WEIGHTS:,}")
    chars = headers["meta"][1].itemsize // 4
    limit = _META_BASE + 2 * _META_PER_SOURCE * math.prod(shape)
    if chars > limit:
        raise _Malformed(f"meta is {chars:,} characters long; a header for {shape} weights has at most {limit:,}")
    meta = _header(_data(archive, members["meta"], headers["meta"])[()], RECURRENT_FORMAT, RECURRENT_META_FIELDS)
    try:
        d = meta["topology"]
        if not isinstance(d, dict):
            raise TypeError(f"a topology description must be a mapping of field names, got {shown(d)}")
        d = dict(d)
        for key in ("mask", "fixed"):
            if d.get(key) is not None:
                d[key] = np.array(d[key], dtype=bool if key == "mask" else np.float64)
        topology = RecurrentTopology(**d)
        weights = _data(archive, members["weights"], headers["weights"]).astype(np.float64)
        return cls(topology, weights, learner=meta["learner"], window=meta["window"])
    except (TypeError, ValueError) as exc:
        raise _Malformed(f"{exc}") from None
