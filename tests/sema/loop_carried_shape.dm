model m {
  input x : f32[2, 3]
  h = x
  for t in range(3) {
    h = Dense(h, 4)
  }
  output y = h
}
