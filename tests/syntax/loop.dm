model m {
  input x : f32[2, 3]
  h = x
  for t in range(3) sharde {
    h = h * 2
  }
  for t range(3) {
    h = h * 2
  }
  fro t in range(3) {
  }
  output y = h
}
