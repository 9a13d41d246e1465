model m {
  input x : f32[4]
  h = relu(x)
}
