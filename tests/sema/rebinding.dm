model m {
  input x : f32[4]
  h = relu(x)
  h = h * 2
  output y = h
}
