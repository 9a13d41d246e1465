layer Block(x) {
  h = relu(x)
}
model m {
  input x : f32[4]
  output y = Block(x)
}
