# tests/mpi/dropout.dm: an MLP with dropout, whose masks must differ per rank.
model drop {
  const batch = 12
  input x : f32[batch, 20]
  input y : i32[batch]
  h = dropout(relu(Dense(x, 16)), 0.5)
  logits = Dense(h, 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
