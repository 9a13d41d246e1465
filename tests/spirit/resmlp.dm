# A residual MLP with a user layer: shape patterns bind N and D, a default
# argument from a top-level const, a keyword override, Dense nested inside
# the user layer (parameters b1.dense_0.W, b1.dense_1.b, ...).
const hidden = 16

layer Residual(x : f32[N, D], width = hidden) {
  h = relu(Dense(x, width))
  return x + Dense(h, D)
}

model resmlp {
  const batch = 8
  input x : f32[batch, 12]
  input y : i32[batch]
  stem = Dense(x, 10)
  b1 = Residual(relu(stem))
  b2 = Residual(b1, width = 8)
  logits = Dense(b2, 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01, weight_decay = 0.001)
}
