# warnings: params the loss does not depend on but an output does (grouped per layer call)
model m {
  input x : f32[4, 3]
  input y : i32[4]
  param scale : f32 = 1
  h = relu(Dense(x, 8))
  logits = Dense(h, 3)
  output aux = Dense(h, 2) * scale
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.1)
}
