# Elementwise chains and broadcasting on sizes that are not multiples of the
# vector width (1, 3, 7, 33), fused into one loop per chain.
model elementwise_odd {
  input x : f32[7, 33]
  input r : f32[3, 1, 7]
  input t : f32[7, 33]
  param a : f32[33]
  param b : f32[7, 1]
  param c : f32
  param d : f32[1]
  param e : f32[3, 7, 7]
  u = leaky_relu(x * a + b, alpha = 0.1) - relu(x - c) * d
  v = sigmoid(u) * tanh(x + a) - exp(-abs(x * c)) + log(abs(x) + 1) / sqrt(abs(b) + 1)
  w = tanh(r * e + r) * (e - b) + softplus(r * e, beta = 0.5)   # [3, 1, 7] op [3, 7, 7] op [7, 1]
  output y = v * 0.5 - 2 / (abs(a) + 1) + max(x, axis = 1, keepdims = true)
  output z = w
  loss mse(y, t) + mean(w * w) * 0.5 + sum(relu(-v)) * 0.01
  optimizer adam(lr = 0.01)
}
