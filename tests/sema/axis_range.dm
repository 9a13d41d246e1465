model m {
  input x : f32[4, 3]
  output y = sum(x, axis = 2)
}
