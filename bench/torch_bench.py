"""PyTorch side of `make bench`: one round of one workload, the mean
microseconds per call printed on one line.  bench/run.py calls it alternately
with dmc's bench program.  Same models as ../shared/bench/torch_ref.py.
Usage: torch_bench.py WORKLOAD REPS THREADS   (run with /usr/bin/python3)"""
import sys, time
import torch, torch.nn as nn, torch.nn.functional as F

workload, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)

def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))

class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 6, 5, padding=2); s.c2 = nn.Conv2d(6, 16, 5)
        s.f1 = nn.Linear(400, 120); s.f2 = nn.Linear(120, 84); s.f3 = nn.Linear(84, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2); x = F.max_pool2d(F.relu(s.c2(x)), 2); x = x.flatten(1)
        return s.f3(F.relu(s.f2(F.relu(s.f1(x)))))

def timed(fn):
    for _ in range(max(3, reps // 10)): fn()
    t = time.perf_counter()
    for _ in range(reps): fn()
    return (time.perf_counter() - t) / reps * 1e6

def train(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
    return timed(step)

def infer(model, x):
    with torch.inference_mode():
        return timed(lambda: model(x))

kind, name, batch = workload.split(":")
batch = int(batch)
if name == "mlp":
    model, x = mlp(), torch.randn(batch, 784)
elif name == "lenet":
    model, x = LeNet(), torch.randn(batch, 1, 28, 28)
elif name == "matmul":
    W = torch.randn(1024, 1024) * 0.03; x = torch.randn(1024, 1024)
    with torch.inference_mode():
        print(f"{timed(lambda: x @ W):.3f}")
    sys.exit(0)
y = torch.randint(0, 10, (batch,))
print(f"{(train(model, x, y) if kind == 'train' else infer(model, x)):.3f}")
