# Every elementwise function, unary minus and + - * / between tensors,
# parameters and literals.  The values (elementwise.py) keep every kink
# (relu, leaky_relu, abs at 0) at least 0.15 away.
model elementwise {
  input x : f32[4, 6]
  input t : f32[4, 6]
  param a : f32[4, 6]            # in [0.5, 2]: the domain of log and sqrt
  param s : f32[6]               # in [0.2, 0.4]
  param c : f32                  # 0.5
  u = leaky_relu(x * s, alpha = 0.2) + relu(x - c)
  v = sigmoid(u) * tanh(x + s) - exp(-abs(x * c))
  w = log(a) / sqrt(a) + abs(x - s) / (a + 1)
  p = softplus(x * s, beta = 2) + softplus(x, 1, threshold = 0.5)   # x > 0: above the threshold
  output y = v + w * 0.5 + leaky_relu(x) - 2 / a + p
  loss mse(y, t)
  optimizer sgd(lr = 0.1)
}
