"""u_resnet.dm in PyTorch: conv / batch norm / relu residual blocks, a strided
1x1 projection shortcut, global average pooling (mean over H and W)."""
import torch
import torch.nn.functional as F


def params(r):
    ps = {"conv2d_0.W": r.normal((5, 3, 3, 3), 0.3), "conv2d_0.b": r.normal((5,), 0.1)}
    for blk, cin, cout, proj in (("r1", 5, 5, False), ("r2", 5, 6, True)):
        ps[blk + ".conv2d_0.W"] = r.normal((cout, cin, 3, 3), 0.25)
        ps[blk + ".conv2d_1.W"] = r.normal((cout, cout, 3, 3), 0.25)
        bns = ["batchnorm2d_0", "b"] + (["batchnorm2d_1"] if proj else [])
        for bn in bns:
            ps[f"{blk}.{bn}.weight"] = r.uniform((cout,), 0.5, 1.5)
            ps[f"{blk}.{bn}.bias"] = r.normal((cout,), 0.2)
        if proj:
            ps[blk + ".conv2d_2.W"] = r.normal((cout, cin, 1, 1), 0.4)
    ps["logits.W"] = r.normal((6, 3), 0.5)
    ps["logits.b"] = r.normal((3,), 0.1)
    return ps


def buffers(r):
    bs = {}
    for blk, c, bns in (("r1", 5, ["batchnorm2d_0", "b"]), ("r2", 6, ["batchnorm2d_0", "b", "batchnorm2d_1"])):
        for bn in bns:
            bs[f"{blk}.{bn}.running_mean"] = r.normal((c,), 0.2)
            bs[f"{blk}.{bn}.running_var"] = r.uniform((c,), 0.5, 2.0)
    return bs


def inputs(r):
    return {"x": r.normal((2, 3, 7, 7)), "y": r.labels(2, 3)}


def model(P, X, ctx):
    def bn(v, name):
        return F.batch_norm(v, ctx.buffers[name + ".running_mean"], ctx.buffers[name + ".running_var"],
                            P[name + ".weight"], P[name + ".bias"], training=ctx.train, momentum=0.1, eps=1e-5)

    def basic(v, blk, stride):
        a = F.relu(bn(F.conv2d(v, P[blk + ".conv2d_0.W"], stride=stride, padding=1), blk + ".batchnorm2d_0"))
        b = bn(F.conv2d(a, P[blk + ".conv2d_1.W"], padding=1), blk + ".b")
        short = v if stride == 1 else bn(F.conv2d(v, P[blk + ".conv2d_2.W"], stride=stride), blk + ".batchnorm2d_1")
        return F.relu(b + short)

    stem = F.relu(F.conv2d(X["x"], P["conv2d_0.W"], P["conv2d_0.b"], padding=1))
    r2 = basic(basic(stem, "r1", 1), "r2", 2)
    logits = r2.mean((2, 3)) @ P["logits.W"] + P["logits.b"]
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, 1)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3)
