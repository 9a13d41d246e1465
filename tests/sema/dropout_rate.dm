model m {
  input x : f32[4]
  output y = dropout(x, 1.5)
}
