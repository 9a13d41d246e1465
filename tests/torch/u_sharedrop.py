"""u_sharedrop.dm in PyTorch: dmc's dropout masks at one site per iteration
of a shared loop, F.batch_norm per plain-loop iteration with its own
running statistics."""
import torch
import torch.nn.functional as F


def params(r):
    ps = {"h.s.W": r.normal((7, 7), 0.4)}
    for i in range(2):
        ps[f"batchnorm1d_{i}.weight"] = r.uniform((7,), 0.5, 1.5)
        ps[f"batchnorm1d_{i}.bias"] = r.normal((7,), 0.2)
    return ps


def buffers(r):
    bs = {}
    for i in range(2):
        bs[f"batchnorm1d_{i}.running_mean"] = r.normal((7,), 0.2)
        bs[f"batchnorm1d_{i}.running_var"] = r.uniform((7,), 0.5, 2.0)
    return bs


def inputs(r):
    return {"x": r.normal((4, 7)), "t": r.normal((4, 7))}


def model(P, X, ctx):
    x = X["x"]
    h = x * 0.5
    for s in range(3):
        h = torch.tanh(x + ctx.dropout(h, 0.3) @ P["h.s.W"])
    for i in range(2):
        h = F.batch_norm(h, ctx.buffers[f"batchnorm1d_{i}.running_mean"], ctx.buffers[f"batchnorm1d_{i}.running_var"],
                         P[f"batchnorm1d_{i}.weight"], P[f"batchnorm1d_{i}.bias"], training=ctx.train, momentum=0.1, eps=1e-5) + h
    return F.mse_loss(h, X["t"]), {"y": h}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)
