# The MLP of docs/language.md, verbatim (the suite compiles it with -D batch=8).
# Covers: Dense, relu, softmax (output), softmax_cross_entropy, adam defaults.
model mlp {
  const batch = 64                 # overridable: dmc -D batch=128
  input x : f32[batch, 784]
  input y : i32[batch]             # class indices
  h1 = relu(Dense(x, 256))
  h2 = relu(Dense(h1, 128))
  logits = Dense(h2, 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.001)
}
