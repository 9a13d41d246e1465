# The benchmark's MLP: docs/language.md's mlp (784-256-128-10, Adam).
model mlp {
  const batch = 64
  input x : f32[batch, 784]
  input y : i32[batch]
  h1 = relu(Dense(x, 256))
  h2 = relu(Dense(h1, 128))
  logits = Dense(h2, 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.001)
}
