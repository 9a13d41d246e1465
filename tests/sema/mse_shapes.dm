model m {
  input x : f32[4, 1]
  input t : f32[4]
  param w : f32
  loss mse(x * w, t)
  optimizer sgd(lr = 0.1)
}
