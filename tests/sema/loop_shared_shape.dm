model m {
  input x : f32[2, 3]
  h = x
  for t in range(3) shared {
    z = Dense(x, 4 + t)
  }
  output y = h
}
