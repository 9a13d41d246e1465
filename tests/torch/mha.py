"""mha.dm in PyTorch: F.multi_head_attention_forward (what nn.MultiheadAttention
runs) with in_proj_weight = qkv.W^T and out_proj.weight = proj.W^T; the causal
mask is attn_mask's -inf upper triangle."""
import torch
import torch.nn.functional as F


def params(r):
    ps = {}
    for m in ("a", "b"):
        ps[m + ".qkv.W"] = r.normal((8, 24), 0.35)
        ps[m + ".qkv.b"] = r.normal((24,), 0.1)
        ps[m + ".proj.W"] = r.normal((8, 8), 0.35)
        ps[m + ".proj.b"] = r.normal((8,), 0.1)
    ps["layernorm_0.weight"] = r.uniform((8,), 0.5, 1.5)
    ps["layernorm_0.bias"] = r.normal((8,), 0.1)
    ps["y.W"] = r.normal((8, 6), 0.35)
    ps["y.b"] = r.normal((6,), 0.1)
    return ps


def inputs(r):
    return {"x": r.normal((3, 5, 8)), "t": r.normal((3, 5, 6))}


def attention(P, m, x, heads, causal):
    q = x.transpose(0, 1)                                 # [T, N, D], PyTorch's default layout
    mask = torch.triu(torch.full((5, 5), float("-inf"), dtype=x.dtype), 1) if causal else None
    out, _ = F.multi_head_attention_forward(
        q, q, q, 8, heads, P[m + ".qkv.W"].t(), P[m + ".qkv.b"], None, None, False, 0.0,
        P[m + ".proj.W"].t(), P[m + ".proj.b"], training=False, need_weights=False, attn_mask=mask)
    return out.transpose(0, 1)


def model(P, X, ctx):
    x = X["x"]
    a = attention(P, "a", x, 2, True)
    b = attention(P, "b", F.layer_norm(x, (8,), P["layernorm_0.weight"], P["layernorm_0.bias"]), 4,
                  False)
    y = (a + b) @ P["y.W"] + P["y.b"]
    return F.mse_loss(y, X["t"]), {"y": y}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9)
