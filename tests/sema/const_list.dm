const sizes = [64, 32]
model m {
  input x : f32[4]
  output y = relu(x)
}
