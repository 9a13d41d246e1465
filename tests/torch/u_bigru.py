"""u_bigru.dm in PyTorch: torch.gru_cell (PyTorch's own GRU step, weights
stacked r, z, n and transposed) forward and backward over time, torch.cat,
torch.stack, amax, bce."""
import torch
import torch.nn.functional as F

H, I = 7, 5
NAMES = ("W_ir", "W_iz", "W_in", "W_hr", "W_hz", "W_hn", "b_ir", "b_iz", "b_in", "b_hr", "b_hz", "b_hn")


def params(r):
    ps = {"h0": r.normal((1, H), 0.3)}
    for d in ("f.i", "b.j"):
        for n in NAMES:
            shape = (I, H) if n.startswith("W_i") else (H, H) if n.startswith("W_h") else (H,)
            ps[f"{d}.{n}"] = r.uniform(shape, -0.4, 0.4)
    ps["logits.W"] = r.normal((2 * H + I, 3), 0.3)
    ps["logits.b"] = r.normal((3,), 0.1)
    return ps


def inputs(r):
    return {"x": r.normal((1, 6, I)), "t": r.uniform((1, 3), 0.1, 0.9)}


def gru(P, d, x, h):
    w_ih = torch.cat([P[f"{d}.W_ir"], P[f"{d}.W_iz"], P[f"{d}.W_in"]], 1).t()
    w_hh = torch.cat([P[f"{d}.W_hr"], P[f"{d}.W_hz"], P[f"{d}.W_hn"]], 1).t()
    b_ih = torch.cat([P[f"{d}.b_ir"], P[f"{d}.b_iz"], P[f"{d}.b_in"]])
    b_hh = torch.cat([P[f"{d}.b_hr"], P[f"{d}.b_hz"], P[f"{d}.b_hn"]])
    return torch.gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)


def model(P, X, ctx):
    x = X["x"]
    f = P["h0"] + 0
    b = P["h0"] * 1
    for i in range(6):
        f = gru(P, "f.i", x[:, i], f)
    for j in range(5, -1, -1):
        b = gru(P, "b.j", x[:, j], b)
    both = torch.cat([f, b], -1)
    pooled = torch.stack([x[:, 0], x[:, -1]], 1).amax(1)
    logits = torch.cat([both, pooled], 1) @ P["logits.W"] + P["logits.b"]
    p = torch.sigmoid(logits)
    return F.binary_cross_entropy(p, X["t"]), {"p": p}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.02, weight_decay=0.001)
