const n = 3
model m {
  input x : f32[n - 3, 2]
  input z : f32[-1]
  output y = relu(x)
}
