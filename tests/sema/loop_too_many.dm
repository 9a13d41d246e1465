model m {
  input x : f32[2, 3]
  h = x
  for i in range(1000) {
    for j in range(1000) {
      h = h * 2
    }
  }
  output y = h
}
