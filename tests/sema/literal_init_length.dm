model m {
  input x : f32[4, 2]
  param W : f32[2] = [0.1, 0.2, 0.3]
  output y = x @ W
}
