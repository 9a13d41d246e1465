model mlp {
  input x : f32[4]
  output y = relu(x)
}
