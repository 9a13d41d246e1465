model m {
  input x : f32[4]
  param w : f32[4]
  output y = x * w
  optimizer sgd(lr = 0.1)
}
