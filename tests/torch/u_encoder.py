"""u_encoder.dm in PyTorch: nn.Embedding, a pre-norm encoder block with
F.multi_head_attention_forward (nn.MultiheadAttention, batch_first, no mask),
F.layer_norm, F.gelu, mean pooling."""
import torch
import torch.nn.functional as F

D = 12


def params(r):
    ps = {"tok.W": r.normal((31, D), 1.0), "pos": r.normal((7, D), 0.02)}
    for ln in ("h.layernorm_0", "h.layernorm_1", "layernorm_0"):
        ps[ln + ".weight"] = r.uniform((D,), 0.5, 1.5)
        ps[ln + ".bias"] = r.normal((D,), 0.1)
    m = "h.multiheadattention_0"
    ps[m + ".qkv.W"] = r.normal((D, 3 * D), 0.3)
    ps[m + ".qkv.b"] = r.normal((3 * D,), 0.1)
    ps[m + ".proj.W"] = r.normal((D, D), 0.3)
    ps[m + ".proj.b"] = r.normal((D,), 0.1)
    ps["h.dense_0.W"] = r.normal((D, 4 * D), 0.3)
    ps["h.dense_0.b"] = r.normal((4 * D,), 0.1)
    ps["h.dense_1.W"] = r.normal((4 * D, D), 0.15)
    ps["h.dense_1.b"] = r.normal((D,), 0.1)
    ps["logits.W"] = r.normal((D, 5), 0.4)
    ps["logits.b"] = r.normal((5,), 0.1)
    return ps


def inputs(r):
    return {"ids": r.labels((2, 7), 31), "y": r.labels(2, 5)}


def model(P, X, ctx):
    def ln(v, name):
        return F.layer_norm(v, (D,), P[name + ".weight"], P[name + ".bias"], eps=1e-5)

    x = F.embedding(X["ids"], P["tok.W"]) + P["pos"]
    m = "h.multiheadattention_0"
    q = ln(x, "h.layernorm_0").transpose(0, 1)
    att, _ = F.multi_head_attention_forward(
        q, q, q, D, 3, P[m + ".qkv.W"].t(), P[m + ".qkv.b"], None, None, False, 0.0,
        P[m + ".proj.W"].t(), P[m + ".proj.b"], training=False, need_weights=False)
    a = x + att.transpose(0, 1)
    hid = F.gelu(ln(a, "h.layernorm_1") @ P["h.dense_0.W"] + P["h.dense_0.b"])
    h = a + hid @ P["h.dense_1.W"] + P["h.dense_1.b"]
    logits = ln(h, "layernorm_0").mean(1) @ P["logits.W"] + P["logits.b"]
    return F.cross_entropy(logits, X["y"]), {"probs": F.softmax(logits, 1)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.1)
