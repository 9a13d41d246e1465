model m {
  input x : f32[4]
  y = leaky_relu(alpha = 0.1, x)
}
