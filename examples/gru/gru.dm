# examples/gru: a GRU reads each Fashion-MNIST image row by row (28 time
# steps of 28 pixels, hidden state 128, the standard GRUCell shared by all
# steps), and a Dense layer classifies the last state.
#
# x_t = x[:, t, :] is taken without slicing: with the image as [T, N*28]
# (transposed once), `row` is the t-th row of the 28x28 identity, as
# constant arithmetic on the loop variable (1 - (j - t)^2 is 1 at j = t and
# <= 0 elsewhere; relu keeps the 1), and row @ x picks the step's pixels.
const batch = 64
const steps = 28
const hidden = 128

layer Row(x : f32[T, NI], t, n) {
  j = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]
  row = reshape(relu(1 - (j - t) * (j - t)), [1, T])
  return reshape(row @ x, [n, NI / n])
}

model gru {
  input x : f32[batch, steps, 28]          # one image per sample, rows are time steps
  input y : i32[batch]
  input h0 : f32[batch, hidden]            # the initial state: zeros (nothing writes it)
  rows = reshape(transpose(x, [1, 0, 2]), [steps, batch * 28])
  h = h0
  for t in range(steps) shared {
    h = GRUCell(Row(rows, t, batch), h)
  }
  logits = Dense(h, 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.002)
}
