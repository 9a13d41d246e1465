# tests/mpi/mlp.dm: a small MLP with Adam for the data-parallel tests
# (mpi.test.sh compiles it at batch 12, 6 and 4).
model mlp {
  const batch = 12
  input x : f32[batch, 20]
  input y : i32[batch]
  h = relu(Dense(x, 16))
  logits = Dense(h, 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
