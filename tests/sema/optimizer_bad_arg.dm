model m {
  input x : f32[4]
  param w : f32[4]
  loss sum(x * w)
  optimizer adam(lr = 0.1, beta = 0.5, eps = true)
}
