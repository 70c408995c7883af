"""How the network is built during a trial: Exps 2a/2b's sequential construction."""

from __future__ import annotations

import numpy as np

__all__ = ["CONSTRUCTIONS", "SequentialConstruction"]

#: ``"present"``: every cell is there from the start (the default, DECISIONS item 13);
#: ``"sequential"``: see :class:`SequentialConstruction`.
CONSTRUCTIONS = ("present", "sequential")


class SequentialConstruction:
    """Exps 2a/2b as the paper ran them (section 4; DECISIONS item 13): "memory cell and
    input gate are added once the error has stopped decreasing".  Until then the cells'
    outgoing weights are held at 0, so they neither affect the outputs nor receive error
    (exactly so with ``update="sequence"``, where weights are constant within a
    sequence).  The error has stopped decreasing when the mean training error of
    ``window`` sequences has not fallen below 0.99 times the best earlier mean for
    ``patience`` windows in a row, or, if ``at`` is given, after training sequence ``at``
    (the paper does not say how it detected the stall); then the cells' incoming,
    input-gate and outgoing weights are drawn afresh in the initialisation range."""

    window = 500
    patience = 2
    #: What a trial's checkpoint does not store: the trial builds it anew (.checkpoint).
    _REBUILT = ("net", "cells")

    def __init__(self, net, rng, at=None):
        self.net, self.rng, self.at = net, rng, at
        self.cells = net.topology.source_columns("cell")
        self.added_at = None
        self.best, self.stale, self.total = np.inf, 0, 0.0
        self._hold()

    def _hold(self):
        w = self.net.get_weights()["output"]
        w[:, self.cells] = 0.0
        self.net.set_weights({"output": w})

    def after(self, n, error):
        if self.added_at is not None:
            return
        self._hold()
        if self.at is not None:
            if n >= self.at:
                self._add(n)
            return
        self.total += error
        if n % self.window:
            return
        mean, self.total = self.total / self.window, 0.0
        if mean < 0.99 * self.best:
            self.best, self.stale = mean, 0
            return
        self.stale += 1
        if self.stale >= self.patience:
            self._add(n)

    def _add(self, n):
        self.added_at = n
        weights, masks = self.net.get_weights(), self.net.masks
        r = self.net.topology.init_range
        fresh = {g: np.where(masks[g], self.rng.uniform(-r, r, weights[g].shape), 0.0)
                 for g in ("input_gate", "cell")}
        out = weights["output"]
        out[:, self.cells] = self.rng.uniform(-r, r, out[:, self.cells].shape)
        self.net.set_weights({**fresh, "output": out})
