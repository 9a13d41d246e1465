layer block(x) {
  return relu(x)
}
model m {
  input x : f32[4]
  output y = relu(x)
}
