# tests/mpi/cnn.dm: a small CNN with Adam for the data-parallel tests
# (mpi.test.sh compiles it at batch 12, 6 and 4).
model cnn {
  const batch = 12
  input x : f32[batch, 1, 8, 8]
  input y : i32[batch]
  c = maxpool2d(relu(Conv2d(x, 4, kernel = 3, pad = 1)), 2)   # [batch, 4, 4, 4]
  logits = Dense(flatten(c), 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
