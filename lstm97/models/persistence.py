"""Model files: an LSTM's weights and full training state in an ``.npz`` with a JSON header.

The file holds ``meta`` (a JSON string: format name and version, the topology, the step
counter and the accumulated error), ``weights.<group>`` for every group as
:meth:`LSTM.get_weights` lays them out, and ``state.<name>`` for every array that carries
state from one step to the next.  It is read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile

import numpy as np

from .topology import GROUPS, Topology

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "lstm97-model"
FORMAT_VERSION = 1


def save(net, path) -> None:
    """Write the network and its full state to an ``.npz`` file (with a JSON header).

    The state includes cell states, activations, traces and any pending update, so
    a stream resumed from the file continues bit for bit.  The file is written to a
    temporary name first and renamed, so an interrupted save never leaves a
    half-written file behind.
    """
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "topology": net.topology.to_dict(),
            "steps": net._core.t, "error": net._core.error}
    arrays = {f"weights.{g}": net._full(g) for g in GROUPS}
    arrays.update({f"state.{k}": v for k, v in net._core.state_arrays().items() if k != "weights"})
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(cls, path):
    """Read a network of class ``cls`` (:class:`LSTM`) written by :func:`save`; raises ``ValueError`` on a foreign or corrupt file."""
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"][()]))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError("the header does not name the lstm97 model format")
            if meta.get("version") != FORMAT_VERSION:
                raise ValueError(f"format version {meta.get('version')!r} is not supported "
                                 f"(this lstm97 reads version {FORMAT_VERSION})")
            net = cls.__new__(cls)
            net._setup(Topology.from_dict(meta["topology"]))
            net.set_weights({g: f[f"weights.{g}"] for g in GROUPS})
            for name, view in net._core.state_arrays().items():
                if name == "weights":
                    continue
                arr = f[f"state.{name}"]
                if arr.shape != view.shape or not np.isfinite(arr).all():
                    raise ValueError(f"state array {name!r} has the wrong shape or non-finite values")
                view[...] = arr
            net._core.set_counters(int(meta["steps"]), float(meta["error"]))
    except FileNotFoundError:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{os.fspath(path)!r} is not a valid lstm97 model file: {exc}") from exc
    return net
