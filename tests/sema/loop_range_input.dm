model m {
  input x : f32[2, 3]
  for i in range(x) {
    h = x
  }
  output y = x
}
