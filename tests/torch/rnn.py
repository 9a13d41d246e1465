"""rnn.dm in PyTorch: h = tanh(x[t] @ Wx + h @ Wh + b) for t = 0..3, the
same Wx, Wh, b at every step, from h = h0; a Dense head on the last h."""
import torch
import torch.nn.functional as F


def params(r):
    return {"Wx": r.normal((5, 6), 0.5), "Wh": r.normal((6, 6), 0.4), "b": r.normal((6,), 0.2),
            "out.W": r.normal((6, 2), 0.5), "out.b": r.normal((2,), 0.1)}


def inputs(r):
    return {"x": r.normal((4, 3, 5)), "h0": r.normal((3, 6), 0.5), "y": r.normal((3, 2))}


def model(P, X, ctx):
    x = X["x"]
    h = X["h0"]
    for t in range(4):
        h = torch.tanh(x[t] @ P["Wx"] + h @ P["Wh"] + P["b"])
    out = F.linear(h, P["out.W"].t(), P["out.b"])
    return F.mse_loss(out, X["y"]), {"out": out}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)
