model m {
  input x : f32[4, 3]
  param w : f32[3]
  loss x * w
  optimizer sgd(lr = 0.1)
}
