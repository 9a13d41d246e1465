model m {
  const batch = 4
  input x : f32[batch]
  output y = relu(x)
}
