model m {
  input x : f32[2, 3]
  output y = softmax(x, axis = 99999999999999999999)
}
