# Dropout inside a shared loop (one site per iteration, in evaluation
# order), a BatchNorm1d per iteration of a plain loop (its own buffers,
# batchnorm1d_0.running_mean ...); batch 4, width 7.
layer Step(x : f32[N, D], h : f32[N, D]) {
  param W : f32[D, D] = xavier
  return tanh(x + dropout(h, 0.3) @ W)
}

model u_sharedrop {
  input x : f32[4, 7]
  input t : f32[4, 7]
  h = x * 0.5
  for s in range(3) shared {
    h = Step(x, h)                       # h.s.W, dropout sites 0, 1, 2
  }
  for i in range(2) {
    h = BatchNorm1d(h) + h               # batchnorm1d_0.weight, ...: not the whole right-hand side
  }
  output y = h
  loss mse(h, t)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
