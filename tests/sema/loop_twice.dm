model m {
  input x : f32[2, 3]
  h = x
  for t in range(3) {
    h = h * 2
    h = h + 1
  }
  output y = h
}
