model m {
  input x : f32[4]
  output y = one_hot(x, 10)
}
