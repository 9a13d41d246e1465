"""gru.dm in PyTorch: torch.gru_cell (PyTorch's own GRU step, gates r, z, n
stacked by rows in weight_ih / weight_hh) over the 5 steps with the same
weights, from h0; dmc's W_ir [I, H] is the transposed first block of rows."""
import torch
import torch.nn.functional as F

GATES = ("r", "z", "n")


def params(r):
    ps = {}
    for g in GATES:
        ps["h.t.W_i" + g] = r.normal((4, 7), 0.5)
        ps["h.t.W_h" + g] = r.normal((7, 7), 0.4)
        ps["h.t.b_i" + g] = r.normal((7,), 0.2)
        ps["h.t.b_h" + g] = r.normal((7,), 0.2)
    ps["logits.W"] = r.normal((7, 3), 0.5)
    ps["logits.b"] = r.normal((3,), 0.1)
    return ps


def inputs(r):
    return {"x": r.normal((5, 3, 4)), "h0": r.normal((3, 7), 0.5), "y": r.labels(3, 3)}


def model(P, X, ctx):
    w_ih = torch.cat([P["h.t.W_i" + g].t() for g in GATES])
    w_hh = torch.cat([P["h.t.W_h" + g].t() for g in GATES])
    b_ih = torch.cat([P["h.t.b_i" + g] for g in GATES])
    b_hh = torch.cat([P["h.t.b_h" + g] for g in GATES])
    h = X["h0"]
    for t in range(5):
        h = torch.gru_cell(X["x"][t], h, w_ih, w_hh, b_ih, b_hh)
    logits = F.linear(h, P["logits.W"].t(), P["logits.b"])
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, dim=-1)}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)
