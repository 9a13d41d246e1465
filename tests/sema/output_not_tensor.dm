model m {
  const k = 3
  input x : f32[4]
  output y = relu(x)
  output k
}
