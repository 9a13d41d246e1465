model m {
  input x : f32[4, 3]
  output y = softmax(x, axis = -3)
}
