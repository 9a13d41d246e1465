model m {
  input x : f32[2, 1, 5, 5]
  param w : f32[1, 1, 3, 3]
  output a = conv2d(x, w, stride = 0)
  output b = conv2d(x, w, pad = [1, -1])
  output c = conv2d(x, w, stride = [1, 2, 3])
  output d = conv2d(x, reshape(w, [1, 1, 1, 9]))
}
