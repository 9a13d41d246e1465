model m {
  input x : f32[8, 3, 4, 4]
  output y = maxpool2d(x, 5)
}
