model m {
  input x : f32[4, 6]
  output y = reshape(x, [-1, 2, -1])
}
