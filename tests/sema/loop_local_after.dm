model m {
  input x : f32[2, 3]
  for t in range(3) {
    z = relu(x)
  }
  output y = z
}
