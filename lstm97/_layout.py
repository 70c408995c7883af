"""The layout of one LSTM topology in the compiled kernels: one home for the scalar core
(``lstm97._core.Core``) and the lockstep lanes (``lstm97._lockstep.Lanes``), which must lay
a network out the same way (``_core.pyx``'s module docstring describes it)."""

from __future__ import annotations

import dataclasses

import numpy as np

#: The groups in their order in the weight vector (``_groups.h``'s enum of them, which both
#: kernels include, is checked against this when ``_core`` loads).
GROUP_NAMES = ("hidden", "input_gate", "output_gate", "cell", "output")
N_GROUPS, OUTPUT = len(GROUP_NAMES), GROUP_NAMES.index("output")


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where every group's weights and every source set's columns sit.

    Per source set ``s``: ``s_nx`` input columns, ``s_width`` columns in all, starting at
    ``s_xoff`` in ``xcols``, ``s_roff`` in ``rcols`` and ``s_buf`` in the gathered sources
    (``n_src`` long).  Per group ``g``: ``g_rows`` units of width ``g_width`` reading set
    ``g_set``, weights from ``g_off`` on.  ``hid_sets``: the sets the hidden groups read, each
    once.  ``xpos[s * n_inputs + i]``: the compact column of input ``i`` in set ``s``, or -1;
    ``out_pos[u]``: that of hidden unit ``u`` among the output group's columns, or -1;
    ``block_start``: the first cell of every block, and the number of cells.  The index
    arrays are intp and never empty, so their first entry's address is always valid."""

    n_units: int
    n_weights: int
    n_src: int
    g_rows: tuple
    g_width: tuple
    g_off: tuple
    g_set: tuple
    s_nx: tuple
    s_width: tuple
    s_xoff: tuple
    s_roff: tuple
    s_buf: tuple
    hid_sets: tuple
    xcols: np.ndarray
    rcols: np.ndarray
    xpos: np.ndarray
    out_pos: np.ndarray
    block_start: np.ndarray


def layout(n_inputs, n_outputs, n_hidden, block_sizes, output_gates, group_set, set_xcols, set_rcols) -> Layout:
    """The layout of a network with these of ``Core``'s constructor arguments."""
    n_blocks, n_cells = len(block_sizes), int(sum(block_sizes))
    n_units = n_hidden + n_blocks * (2 if output_gates else 1) + n_cells
    rows = (n_hidden, n_blocks, n_blocks if output_gates else 0, n_cells, n_outputs)
    s_nx = tuple(len(c) for c in set_xcols)
    s_width = tuple(nx + len(r) for nx, r in zip(s_nx, set_rcols))
    starts = lambda sizes: tuple(int(v) for v in np.r_[0, np.cumsum(sizes)[:-1]])
    xpos = np.full(max(len(set_xcols) * n_inputs, 1), -1, dtype=np.intp)
    for s, cols in enumerate(set_xcols):
        for m, i in enumerate(cols):
            xpos[s * n_inputs + i] = m
    g_width = tuple(s_width[group_set[g]] for g in range(N_GROUPS))
    sizes = [rows[g] * g_width[g] for g in range(N_GROUPS)]
    hid_sets = []
    for g in range(OUTPUT):
        if rows[g] > 0 and group_set[g] not in hid_sets:
            hid_sets.append(group_set[g])
    out_pos = np.full(max(n_units, 1), -1, dtype=np.intp)
    s = group_set[OUTPUT]
    for m, r in enumerate(set_rcols[s]):
        if r >= 1:
            out_pos[r - 1] = s_nx[s] + m
    index = lambda parts: np.concatenate([np.asarray(c, dtype=np.intp) for c in parts] + [np.zeros(1, np.intp)])
    return Layout(
        n_units=n_units, n_weights=sum(sizes), n_src=sum(s_width),
        g_rows=rows, g_width=g_width, g_off=starts(sizes), g_set=tuple(group_set[:N_GROUPS]),
        s_nx=s_nx, s_width=s_width, s_xoff=starts(s_nx), s_roff=starts([len(r) for r in set_rcols]),
        s_buf=starts(s_width), hid_sets=tuple(hid_sets),
        xcols=index(set_xcols), rcols=index(set_rcols), xpos=xpos, out_pos=out_pos,
        block_start=np.r_[0, np.cumsum(block_sizes)].astype(np.intp))
