# warnings: a layer's argument, param and binding that its body never mentions
layer Block(x : f32[N, I], units, scale) {
  param W : f32[I, units] = xavier
  param unused : f32[units]
  h = x @ W
  extra = relu(h)
  return h
}
model m {
  input x : f32[4, 3]
  output y = Block(x, 2, 1.0)
}
