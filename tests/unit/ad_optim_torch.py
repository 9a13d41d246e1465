#!/usr/bin/python3
"""ad_optim_torch.py: the expected values of tests/unit/ad_optim.c, from
torch.optim itself (float64).  Prints one C initializer row per optimizer
configuration: the parameter after each of three steps.  Run it and paste the
output into ad_optim.c's `torch_expected` when the configurations change:

    /usr/bin/python3 tests/unit/ad_optim_torch.py
"""
import torch

P0 = [0.5, -1.2, 2.0]
GRADS = [[0.3, -0.7, 1.1], [-0.2, 0.4, 0.9], [0.05, -1.5, 0.6]]

# name, class, arguments: the same list as CONFIGS in ad_optim.c
CONFIGS = [
    ("sgd", torch.optim.SGD, dict(lr=0.1)),
    ("sgd_momentum", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov", torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", torch.optim.SGD, dict(lr=0.1, weight_decay=0.05)),
    ("sgd_momentum_decay_dampening", torch.optim.SGD,
     dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05)),
    ("adam", torch.optim.Adam, dict(lr=0.01)),
    ("adam_weight_decay", torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01)),
    ("adamw_weight_decay", torch.optim.AdamW, dict(lr=0.05, betas=(0.85, 0.995), weight_decay=0.2)),
]

for name, cls, args in CONFIGS:
    p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
    opt = cls([p], **args)
    rows = []
    for g in GRADS:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        rows.append(", ".join("%.17g" % v for v in p.detach().tolist()))
    print("    {\"%s\", {{%s}}}," % (name, "}, {".join(rows)))
