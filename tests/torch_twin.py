"""The same truncated gradient by PyTorch autograd, for the speed comparison.

Hidden units read the recurrent activations y(t-1) *detached*, while the cell state
s(t-1) -> s(t) stays on the graph: autograd of that loss is exactly the truncated
gradient of eqs. 19-28 (tests/test_truncation.py shows why).  Needs ``torch``.
"""

import numpy as np
import torch


def truncated_gradient(net, inputs, targets, target_mask):
    """dE/dw per group, as ``LSTM.gradient`` returns it, and E."""
    top = net.topology
    W = {g: torch.tensor(w, requires_grad=True) for g, w in net.get_weights().items()}
    blk = torch.tensor(np.repeat(np.arange(top.n_blocks), top.block_sizes))
    one = torch.ones(1, dtype=torch.float64)
    targets = torch.tensor(targets)
    y_prev = torch.zeros(top.n_units, dtype=torch.float64)
    s = torch.zeros(top.n_cells, dtype=torch.float64)
    eye = torch.eye(top.n_inputs, dtype=torch.float64)
    dense = torch.tensor(inputs) if np.asarray(inputs).ndim == 2 else None
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(len(inputs)):
        x = dense[t] if dense is not None else eye[int(inputs[t])]
        src = torch.cat([x, one, y_prev.detach()])
        y_h = torch.sigmoid(W["hidden"] @ src)
        y_in = torch.sigmoid(W["input_gate"] @ src)
        gates = [y_in]
        if top.output_gates:
            y_out = torch.sigmoid(W["output_gate"] @ src)
            gates.append(y_out)
        else:
            y_out = torch.ones(top.n_blocks, dtype=torch.float64)
        z = W["cell"] @ src
        gz = torch.sigmoid(z) if top.g == "logistic" else top.g_range * (2 * torch.sigmoid(z) - 1)
        s = s + y_in[blk] * gz
        hs = s if top.h == "identity" else top.h_range * (2 * torch.sigmoid(s) - 1)
        y_now = torch.cat([y_h, *gates, y_out[blk] * hs])
        y_k = torch.sigmoid(W["output"] @ torch.cat([x, one, y_now]))
        if target_mask[t]:
            loss = loss + 0.5 * ((targets[t] - y_k) ** 2).sum()
        y_prev = y_now
    loss.backward()
    masks = net.masks
    grads = {g: np.zeros(w.shape) if w.grad is None else w.grad.numpy() for g, w in W.items()}
    return {g: grads[g] * masks[g] for g in grads}, float(loss.detach())
