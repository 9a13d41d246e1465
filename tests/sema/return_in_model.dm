model m {
  input x : f32[4]
  output y = relu(x)
  return y
}
