model m {
  input x : f32[4]
  probs = relu(x)
  output prob
}
