model m {
  input x : f32[7 / 2]
  output y = relu(x)
}
