"""u_intops.dm in PyTorch: integer arithmetic on labels and ids, a gather
E[ids], comparisons of integers, casts (.to(int32) truncates toward zero),
one_hot, where on an integer condition, softplus with beta, log_softmax."""
import torch
import torch.nn.functional as F


def params(r):
    return {"E": r.normal((9, 7), 0.5)}


def inputs(r):
    return {"ids": r.labels((3, 4), 4), "y": r.labels(3, 7), "x": r.normal((3, 7))}


def model(P, X, ctx):
    ids, x = X["ids"], X["x"]
    rows = P["E"][torch.clamp(ids * 2 + 1, max=8)]
    h = rows.mean(1)
    labels = torch.clamp(X["y"] + 1 - 1, min=0)
    big = (ids >= 2).to(x.dtype)
    q = (x * 3).to(torch.int32)
    qf = torch.clamp(q.to(x.dtype), -2, 2)
    onehot = F.one_hot(labels, 7).to(x.dtype)
    g = torch.where(q != 0, F.softplus(x, beta=2), F.leaky_relu(x, 0.2))
    logits = h + g + qf * 0.1 + onehot * 0.5 + big.sum(1, keepdim=True) * 0.05
    return F.cross_entropy(logits, labels), {"lp": F.log_softmax(logits, -1)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.2)
