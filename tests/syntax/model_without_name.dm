model {
  input x : f32[4]
  output y = x +
}
