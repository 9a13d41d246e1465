# examples/gru: a GRU reads each Fashion-MNIST image row by row (28 time
# steps of 28 pixels, hidden state 128, the standard GRUCell shared by all
# steps), and a Dense layer classifies the last state.
const batch = 64
const steps = 28
const hidden = 128

model gru {
  input x : f32[batch, steps, 28]          # one image per sample, rows are time steps
  input y : i32[batch]
  input h0 : f32[batch, hidden]            # the initial state: zeros (nothing writes it)
  h = h0
  for t in range(steps) shared {
    h = GRUCell(x[:, t, :], h)             # step t reads row t of every image
  }
  logits = Dense(h, 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.002)
}
