model m {
  input x : f32[4, 3]
  output y = relu(x, 2)
}
