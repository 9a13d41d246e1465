model m {
  input x : f32[2, 3]
  n = range(3)
  output y = x
}
