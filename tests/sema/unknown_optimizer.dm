model m {
  input x : f32[4]
  param w : f32[4]
  loss sum(x * w)
  optimizer adma(lr = 0.1)
}
