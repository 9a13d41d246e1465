model m {
  input x : f32[2, 3]
  h = x
  for t in range(3) {
    t = 2
    h = h * 2
  }
  for h in range(3) {
    x2 = x
  }
  output y = h
}
