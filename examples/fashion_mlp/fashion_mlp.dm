# examples/fashion_mlp: docs/language.md's mlp, 784-256-128-10 with Adam.
# The batch is a compile-time constant: dmc -D batch=128 fashion_mlp.dm
model mlp {
  const batch = 64
  input x : f32[batch, 784]
  input y : i32[batch]             # class indices
  h1 = relu(Dense(x, 256))
  h2 = relu(Dense(h1, 128))
  logits = Dense(h2, 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.001)
}
