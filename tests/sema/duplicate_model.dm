model m {
  input x : f32[4]
  output y = relu(x)
}
model m {
  input x : f32[4]
  output y = exp(x)
}
