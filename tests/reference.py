"""Pure-NumPy reference twin of the 1997 LSTM, written straight from the paper.

It works on the public full layout (``LSTM.get_weights()``: one dense matrix per unit
group, zeros where no connection exists) and follows eqs. 6-9 (forward) and 19-28
(truncated gradient) with the experimental ordering of section 5 (DECISIONS item 2)
line by line, with no attempt at speed.  The core is compared with it.
"""

import numpy as np


def f(x):
    return 1.0 / (1.0 + np.exp(-x))


def df(y):
    """f' expressed through the activation y = f(x)."""
    return y * (1.0 - y)


class ReferenceLSTM:
    def __init__(self, topology, weights):
        self.top = topology
        self.W = {g: np.array(w, dtype=float) for g, w in weights.items()}
        self.mask = {g: np.broadcast_to(topology.source_mask(g), w.shape) for g, w in self.W.items()}
        self.block_of = np.repeat(np.arange(topology.n_blocks), topology.block_sizes)

    def _x(self, inputs, t):
        if inputs.ndim == 1:
            x = np.zeros(self.top.n_inputs)
            x[inputs[t]] = 1.0
            return x
        return inputs[t]

    def _g(self, z):
        """Cell input squashing g and its derivative g'."""
        if self.top.g == "logistic":
            y = f(z)
            return y, df(y)
        e, r = f(z), self.top.g_range
        return r * (2 * e - 1), 2 * r * df(e)

    def _h(self, s):
        """Cell output squashing h and its derivative h'."""
        if self.top.h == "identity":
            return s, np.ones_like(s)
        e, r = f(s), self.top.h_range
        return r * (2 * e - 1), 2 * r * df(e)

    def run(self, inputs, targets=None, target_mask=None, learning_rate=None, update="sequence",
            frozen=None):
        """Process one sequence from reset activations.

        Returns ``(outputs, gradient, error, recorded)``: outputs (T, K), the truncated
        dE/dw per group (summed over the sequence), E = 1/2 sum (t-y)^2, and the hidden
        activations y(t-1) each step read.  The cell states after the last step are left
        in ``cell_states``.  With ``learning_rate`` the weights are
        trained (``update`` "sequence" or "step").  ``frozen`` replaces the recurrent
        activations y(t-1) that hidden units read with recorded values (for the
        finite-difference check of what the truncation means).
        """
        top, W = self.top, self.W
        T = len(inputs)
        C, n_c = top.n_blocks, top.n_cells
        blk = self.block_of
        y_prev = np.zeros(top.n_units)
        s = np.zeros(n_c)
        M = top.n_sources
        dS_in = np.zeros((n_c, M))          # ds_v / dw_{in_j m}, eq. 25
        dS_c = np.zeros((n_c, M))           # ds_v / dw_{c_v m},  eq. 27
        D = {g: np.zeros_like(w) for g, w in W.items()}   # sum of e_l y^m = -dE/dw
        total = {g: np.zeros_like(w) for g, w in W.items()}
        outputs = np.zeros((T, top.n_outputs))
        recorded = np.zeros((T, top.n_units))
        E = 0.0
        for t in range(T):
            x = self._x(inputs, t)
            recorded[t] = y_prev
            y_read = y_prev if frozen is None else frozen[t]
            src = np.concatenate([x, [1.0], y_read])
            y_h = f(W["hidden"] @ src)                                  # eq. 6
            y_in = f(W["input_gate"] @ src)                             # eq. 7
            y_out = f(W["output_gate"] @ src) if top.output_gates else np.ones(C)   # eq. 8
            gz, dgz = self._g(W["cell"] @ src)
            dS_in += (gz * df(y_in)[blk])[:, None] * src                # eq. 25
            dS_c += (dgz * y_in[blk])[:, None] * src                    # eq. 27
            s = s + y_in[blk] * gz                                      # eq. 9
            hs, dhs = self._h(s)
            y_c = y_out[blk] * hs
            gates = [y_in, y_out] if top.output_gates else [y_in]
            y_now = np.concatenate([y_h, *gates, y_c])
            out_src = np.concatenate([x, [1.0], y_now])
            y_k = f(W["output"] @ out_src)
            outputs[t] = y_k
            if targets is not None and (target_mask is None or target_mask[t]):
                diff = targets[t] - y_k
                E += 0.5 * diff @ diff
                e_k = df(y_k) * diff                                    # eq. 19
                D["output"] += np.outer(e_k, out_src)                   # eq. 22, l = k
                back = W["output"].T @ e_k                              # sum_k w_ku e_k
                e_i = df(y_h) * back[top.source_columns("hidden")]      # eq. 20
                D["hidden"] += np.outer(e_i, src)
                back_c = back[top.source_columns("cell")]
                if top.output_gates:
                    e_out = df(y_out) * np.bincount(blk, hs * back_c, minlength=C)   # eq. 21
                    D["output_gate"] += np.outer(e_out, src)
                e_s = y_out[blk] * dhs * back_c                         # eq. 23
                for v in range(n_c):
                    D["input_gate"][blk[v]] += e_s[v] * dS_in[v]        # eqs. 24, 26
                    D["cell"][v] += e_s[v] * dS_c[v]                    # eqs. 24, 28
                if learning_rate is not None and update == "step":
                    self._apply(D, total, learning_rate)
            y_prev = y_now
        if learning_rate is not None and update == "sequence":
            self._apply(D, total, learning_rate)
        self.cell_states = s
        grad = {g: -(D[g] + total[g]) * self.mask[g] for g in W}
        return outputs, grad, E, recorded

    def _apply(self, D, total, lr):
        for g in self.W:
            self.W[g] += lr * D[g] * self.mask[g]
            total[g] += D[g]
            D[g][...] = 0.0


class ReferenceRecurrent:
    """Twin of :class:`lstm97.models.recurrent.RecurrentNet` and its learners, dense and
    straight from the definitions: full RTRL (Williams & Zipser 1989) with the
    sensitivities of every unit to every weight, BPTT epochwise and truncated to h steps.
    ``W`` is the full ``(U, S)`` weight matrix; only the topology's free weights change."""

    def __init__(self, topology, weights):
        self.top = topology
        self.W = np.array(weights, dtype=float)
        self.free = topology.free
        self.stages = np.array(topology.stages)
        self.f = [np.tanh if a == "tanh" else f for a in topology.activations]
        self.df = [(lambda y: 1 - y * y) if a == "tanh" else df for a in topology.activations]
        self.I, self.U = topology.n_inputs, topology.n_units

    def sources(self, x_t, y_prev, y_new):
        """What each stage reads: [x, 1, y(t-1)] for stage 0; stage 1 the stage-0 units of t."""
        s0 = np.concatenate([x_t, [1.0], y_prev])
        s1 = np.concatenate([x_t, [1.0], np.where(self.stages == 0, y_new, y_prev)])
        return s0, s1

    def step(self, x_t, y_prev):
        """y(t), and the source vector each unit read (U, S)."""
        y = y_prev.copy()
        src = np.zeros((self.U, self.W.shape[1]))
        for stage in (0, 1):
            s0, s1 = self.sources(x_t, y_prev, y)
            for u in np.flatnonzero(self.stages == stage):
                src[u] = s1 if stage else s0
                y[u] = self.f[u](self.W[u] @ src[u])
        return y, src

    def forward(self, x):
        y, out = np.zeros(self.U), []
        for t in range(len(x)):
            y, _ = self.step(x[t], y)
            out.append(y)
        return np.array(out)

    def _apply(self, dw, lr):
        self.W[self.free] += lr * dw[self.free]

    def rtrl(self, x, d, mask, outputs, lr=0.0, update="gradient"):
        """RTRL over one sequence: returns (-dE/dw accumulated, E); applies it in
        'sequence' mode at the end, in 'step' mode after every step with a target."""
        U, S = self.W.shape
        P = np.zeros((U, U, S))                            # P[u] = dy_u / dW
        y = np.zeros(U)
        acc, E = np.zeros((U, S)), 0.0
        for t in range(len(x)):
            y_new, src = self.step(x[t], y)
            P_new = np.zeros_like(P)
            for stage in (0, 1):
                for u in np.flatnonzero(self.stages == stage):
                    total = np.zeros((U, S))
                    total[u] = src[u]
                    for l in range(U):
                        w = self.W[u, self.I + 1 + l]
                        same_step = stage == 1 and self.stages[l] == 0
                        total += w * (P_new[l] if same_step else P[l])
                    P_new[u] = self.df[u](y_new[u]) * total
            P, y = P_new, y_new
            if mask[t]:
                for k, o in enumerate(outputs):
                    e = d[t, k] - y[o]
                    E += 0.5 * e * e
                    acc += e * P[o]
                if update == "step":
                    self._apply(acc, lr)
                    acc = np.zeros((U, S))
        if update == "sequence":
            self._apply(acc, lr)
        return np.where(self.free, acc, 0.0), E

    def backprop(self, x, ys, errors, t, stop):
        """-dE/dw of the errors ``errors`` (T, U; the d - y of the output units) sent back
        from step t to step ``stop``, through the stored activations ``ys``."""
        U, S = self.W.shape
        acc = np.zeros((U, S))
        delta_next = np.zeros(U)
        for tau in range(t, stop - 1, -1):
            y_prev = ys[tau - 1] if tau > 0 else np.zeros(U)
            delta = np.zeros(U)
            for stage in (1, 0):
                for u in np.flatnonzero(self.stages == stage):
                    eps = errors[tau, u]
                    for v in range(U):
                        w = self.W[v, self.I + 1 + u]
                        same_step = self.stages[v] == 1 and stage == 0
                        eps += w * (delta[v] if same_step else delta_next[v])
                    delta[u] = self.df[u](ys[tau, u]) * eps
            s0, s1 = self.sources(x[tau], y_prev, ys[tau])
            for u in range(U):
                acc[u] += delta[u] * (s1 if self.stages[u] else s0)
            delta_next = delta
        return acc

    def bptt(self, x, d, mask, outputs, lr=0.0, update="gradient", window=None):
        """Epochwise BPTT (``window`` None) or BPTT(h) over one sequence, as :meth:`rtrl`."""
        U, S = self.W.shape
        y, ys, E = np.zeros(U), [], 0.0
        acc, errors = np.zeros((U, S)), np.zeros((len(x), U))
        for t in range(len(x)):
            y, _ = self.step(x[t], y)
            ys.append(y)
            if not mask[t]:
                continue
            for k, o in enumerate(outputs):
                errors[t, o] = d[t, k] - y[o]
                E += 0.5 * errors[t, o] ** 2
            if window is not None:
                only_t = np.zeros_like(errors)
                only_t[t] = errors[t]
                acc += self.backprop(x, np.array(ys), only_t, t, max(0, t - window + 1))
                if update == "step":
                    self._apply(acc, lr)
                    acc = np.zeros((U, S))
        if window is None:
            acc = self.backprop(x, np.array(ys), errors, len(x) - 1, 0)
        if update == "sequence":
            self._apply(acc, lr)
        return np.where(self.free, acc, 0.0), E
