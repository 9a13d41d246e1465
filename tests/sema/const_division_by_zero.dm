const zero = 0
model m {
  const k = 8 / zero
  input x : f32[k]
  output y = relu(x)
}
