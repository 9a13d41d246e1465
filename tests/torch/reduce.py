"""reduce.dm in PyTorch.  max over an axis routes the gradient to the maximum
(no ties: the values are continuous random draws)."""
import torch


def params(r):
    return {"w": r.normal((3, 4, 5)), "b": r.normal((5,))}


def inputs(r):
    return {"x": r.normal((3, 4, 5))}


def model(P, X, ctx):
    w, b = P["w"], P["b"]
    z = X["x"] * w
    s0 = torch.sum(z)
    s1 = torch.sum(z, dim=1)
    s2 = torch.mean(z, dim=2, keepdim=True)
    s3 = torch.sum(z, dim=0, keepdim=True)
    m0 = torch.amax(z, dim=0)
    m1 = torch.amax(z, dim=-1, keepdim=True)
    m2 = torch.max(z)
    a0 = torch.mean(z, dim=0)
    loss = (torch.mean(s1 * s1) * 0.1 + torch.mean(s2 * m1) + torch.sum(m0 * a0) * 0.1 + m2 + s0 * 0.01
            + torch.mean(s3 * b) + torch.mean(z))
    return loss, {"o": s1 * b}


def optimizer(ps):
    return torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
