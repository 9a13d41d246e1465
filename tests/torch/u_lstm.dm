# A hand-written LSTM cell (PyTorch's gate order i, f, g, o): one gate
# matrix [N, 4H] sliced into the four gates, applied over T steps in a
# shared loop that reads x[t] of a [T, N, I] input; the final hidden state
# is classified.  Odd sizes: T 5, N 3, I 7, H 13.
layer LSTMCell(x : f32[N, I], h : f32[N, H], c : f32[N, H]) {
  param Wx : f32[I, 4 * H] = uniform(-0.3, 0.3)
  param Wh : f32[H, 4 * H] = uniform(-0.3, 0.3)
  param b : f32[4 * H] = zeros
  z = x @ Wx + h @ Wh + b
  i = sigmoid(z[:, :H])
  f = sigmoid(z[:, H:2 * H])
  g = tanh(z[:, 2 * H:3 * H])
  o = sigmoid(z[:, -H:])
  c2 = f * c + i * g
  return stack([o * tanh(c2), c2])
}

model u_lstm {
  const T = 5
  input x : f32[T, 3, 7]
  input y : i32[3]
  h = tanh(Dense(x[0], 13))          # the initial state, learned from step 0
  c = h * 0.5
  for t in range(1, T) shared {
    s = LSTMCell(x[t], h, c)          # s.t.Wx, s.t.Wh, s.t.b
    h = s[0]
    c = s[-1]
  }
  logits = Dense(h, 4)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.1, momentum = 0.9, nesterov = true)
}
