"""batchnorm_cnn.dm in PyTorch: F.batch_norm updates the running statistics in
place in training mode (ctx.train) and uses them otherwise, as model.train()
and model.eval() do."""
import torch.nn.functional as F


def params(r):
    return {"c.W": r.normal((3, 2, 3, 3), 0.4),
            "b.weight": r.uniform((3,), 0.5, 1.5), "b.bias": r.normal((3,), 0.2),
            "logits.W": r.normal((12, 3), 0.5), "logits.b": r.normal((3,), 0.1)}


def buffers(r):
    return {"b.running_mean": r.normal((3,), 0.3), "b.running_var": r.uniform((3,), 0.5, 2.0)}


def inputs(r):
    return {"x": r.normal((4, 2, 6, 6)), "y": r.labels(4, 3)}


def model(P, X, ctx):
    c = F.conv2d(X["x"], P["c.W"])
    b = F.batch_norm(c, ctx.buffers["b.running_mean"], ctx.buffers["b.running_var"], P["b.weight"],
                     P["b.bias"], training=ctx.train, momentum=0.1, eps=1e-5)
    p = F.avg_pool2d(b.tanh(), 2)
    logits = F.linear(p.flatten(1), P["logits.W"].t(), P["logits.b"])
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, 1)}


def optimizer(ps):
    import torch
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)
