model m {
  input x : f32[100000, 100000, 1000]
  output y = relu(x)
}
