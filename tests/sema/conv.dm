model m {
  input x : f32[8, 3, 28, 28]
  param w : f32[6, 1, 5, 5]
  output y = conv2d(x, w)
}
