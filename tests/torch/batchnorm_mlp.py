"""batchnorm_mlp.dm in PyTorch (F.batch_norm in training mode updates the
running statistics in place; F.layer_norm with normalized_shape = the trailing
dims)."""
import torch
import torch.nn.functional as F


def params(r):
    return {"dense_0.W": r.normal((5, 8), 0.5), "dense_0.b": r.normal((8,), 0.2),
            "n1.weight": r.uniform((8,), 0.5, 1.5), "n1.bias": r.normal((8,), 0.2),
            "s.weight": r.uniform((2,), 0.5, 1.5), "s.bias": r.normal((2,), 0.2),
            "l3.weight": r.uniform((4,), 0.5, 1.5), "l3.bias": r.normal((4,), 0.2),
            "g.weight": r.uniform((8,), 0.5, 1.5), "g.bias": r.normal((8,), 0.2),
            "out.W": r.normal((8, 4), 0.4), "out.b": r.normal((4,), 0.1)}


def buffers(r):
    return {"n1.running_mean": r.normal((8,), 0.3), "n1.running_var": r.uniform((8,), 0.5, 2.0),
            "s.running_mean": r.normal((2,), 0.3), "s.running_var": r.uniform((2,), 0.5, 2.0)}


def inputs(r):
    return {"x": r.normal((6, 5)), "t": r.normal((6, 4))}


def bn(x, P, ctx, name, momentum=0.1, eps=1e-5):
    return F.batch_norm(x, ctx.buffers[name + ".running_mean"], ctx.buffers[name + ".running_var"],
                        P[name + ".weight"], P[name + ".bias"], training=ctx.train, momentum=momentum, eps=eps)


def model(P, X, ctx):
    h = torch.tanh(F.linear(X["x"], P["dense_0.W"].t(), P["dense_0.b"]))
    n1 = bn(h, P, ctx, "n1", momentum=0.2)
    s = bn(torch.tanh(n1.reshape(6, 2, 4)), P, ctx, "s", eps=1e-3)
    l3 = F.layer_norm(torch.tanh(s), (4,), P["l3.weight"], P["l3.bias"], eps=1e-5)
    g = F.layer_norm(l3.reshape(6, 8), (8,), P["g.weight"], P["g.bias"], eps=1e-4)
    z = F.layer_norm(g.reshape(6, 2, 4), (2, 4), eps=1e-5)
    out = F.linear(z.flatten(1), P["out.W"].t(), P["out.b"])
    return F.mse_loss(out, X["t"]), {"o": out}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01)
