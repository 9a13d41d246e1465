# The standard GRUCell over T = 5 time steps in a shared loop (one set of
# weights, gradients summed over the steps), from the state h0, then a
# Dense head.  x_t = x[t] without slicing: `row` is the t-th row of the
# identity (1 - (j - t)^2 is 1 at j = t and <= 0 elsewhere; relu keeps the 1).
layer Step(x : f32[T, N, I], t) {
  j = [0, 1, 2, 3, 4]
  row = reshape(relu(1 - (j - t) * (j - t)), [1, T])
  return reshape(row @ reshape(x, [T, N * I]), [N, I])
}

model gru {
  input x : f32[5, 3, 4]            # [time, batch, features]
  input h0 : f32[3, 7]
  input y : i32[3]
  h = h0
  for t in range(5) shared {
    h = GRUCell(Step(x, t), h)
  }
  logits = Dense(h, 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
