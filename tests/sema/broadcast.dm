model m {
  input x : f32[4, 3]
  input z : f32[4]
  output y = x + z
}
