model m {
  input x : f32[4]
  param w : f32[4]
  loss sum(x * w)
  optimizer sgd(momentum = 0.9)
}
