# Sequence logits [N, T, K] need labels [N, T]: both shapes in the message.
model m {
  input x : f32[8, 5, 10]
  input y : i32[8]
  param b : f32[10]
  loss softmax_cross_entropy(x + b, y, ignore = -100)
  optimizer sgd(lr = 0.1)
}
