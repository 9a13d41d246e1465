model m {
  input x : f32[64, 10]
  input y : i32[32]
  param b : f32[10]
  loss softmax_cross_entropy(x + b, y)
  optimizer sgd(lr = 0.1)
}
