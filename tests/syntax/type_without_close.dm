model m {
  input x : f32[4, 2
  input y : f32[4]
  output z = y
}
