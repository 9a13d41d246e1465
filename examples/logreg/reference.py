"""The logistic example trained by PyTorch with the same setup, the oracle for
tests/examples/logreg.test.sh.  Prints the same lines as main.c.
Run: /usr/bin/python3 examples/logreg/reference.py"""
import torch

x = torch.tensor([[1., 2], [2, 3], [3, 4], [4, 5]])
y = torch.tensor([0., 1, 1, 0])
W = torch.tensor([0.1, 0.2], requires_grad=True)
b = torch.tensor(0.3, requires_grad=True)
opt = torch.optim.SGD([W, b], lr=0.01)
for epoch in range(1000):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(torch.sigmoid(x @ W + b), y)
    loss.backward()
    opt.step()
    if epoch % 100 == 0:
        print(f"Epoch {epoch}: Loss = {loss.item():.8g}")
with torch.no_grad():
    p = torch.sigmoid(torch.tensor([[1., 1], [2, 2]]) @ W + b)
print(f"Predictions: [{p[0].item():.8g} {p[1].item():.8g}]")
print(f"Parameters: W = [{W[0].item():.8g} {W[1].item():.8g}], b = {b.item():.8g}")
