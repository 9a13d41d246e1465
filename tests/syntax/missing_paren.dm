model m {
  input x : f32[4, 2]
  input y : f32[4]
  loss mse(x, y
  optimizer sgd(lr = 0.1)
}
