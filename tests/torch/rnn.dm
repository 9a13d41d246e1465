# A simple RNN with shared weights over T = 4 time steps:
#   h = tanh(x_t @ Wx + h @ Wh + b),
# from the state h0 given as an input, then a Dense head on the last h.  The loop is `shared`, so Wx, Wh, b are
# read at every step and their gradients add up over the steps (PyTorch's
# autograd does the same).  x_t = x[t] is written without slicing: `row` is
# the t-th row of the identity (1 - (j - t)^2 is 1 at j = t, <= 0 elsewhere,
# relu keeps the 1), times x viewed as [T, N*I].
layer Step(x : f32[T, N, I], t) {
  j = [0, 1, 2, 3]
  row = reshape(relu(1 - (j - t) * (j - t)), [1, T])
  return reshape(row @ reshape(x, [T, N * I]), [N, I])
}

model rnn {
  input x : f32[4, 3, 5]            # [time, batch, features]
  input h0 : f32[3, 6]
  input y : f32[3, 2]
  param Wx : f32[5, 6] = xavier
  param Wh : f32[6, 6] = xavier
  param b : f32[6] = zeros
  h = h0
  for t in range(4) shared {
    h = tanh(Step(x, t) @ Wx + h @ Wh + b)
  }
  out = Dense(h, 2)
  output out
  loss mse(out, y)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
