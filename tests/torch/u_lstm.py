"""u_lstm.dm in PyTorch: the LSTM step written out (gates i, f, g, o of one
[N, 4H] product, as torch.lstm_cell's weight layout transposed), checked
against torch's own lstm_cell inside model()."""
import torch
import torch.nn.functional as F

H = 13


def params(r):
    return {"dense_0.W": r.normal((7, H), 0.3), "dense_0.b": r.normal((H,), 0.1),
            "s.t.Wx": r.uniform((7, 4 * H), -0.3, 0.3), "s.t.Wh": r.uniform((H, 4 * H), -0.3, 0.3),
            "s.t.b": r.normal((4 * H,), 0.1),
            "logits.W": r.normal((H, 4), 0.4), "logits.b": r.normal((4,), 0.1)}


def inputs(r):
    return {"x": r.normal((5, 3, 7)), "y": r.labels(3, 4)}


def model(P, X, ctx):
    x = X["x"]
    h = torch.tanh(x[0] @ P["dense_0.W"] + P["dense_0.b"])
    c = h * 0.5
    for t in range(1, 5):
        # torch's own LSTM step: weights [4H, I], biases split between ih and hh
        h, c = torch.lstm_cell(x[t], (h, c), P["s.t.Wx"].t(), P["s.t.Wh"].t(), P["s.t.b"],
                               torch.zeros_like(P["s.t.b"]))
    logits = h @ P["logits.W"] + P["logits.b"]
    return F.cross_entropy(logits, X["y"]), {"p": F.softmax(logits, 1)}


def optimizer(ps):
    return torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)
