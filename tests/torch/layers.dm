# A user-defined layer with a shape pattern, called named and unnamed
# (parameter names b1.dense_0.W, block_0.dense_1.W), Dense and Conv2d with
# bias = false, avgpool2d before flatten.
layer Block(x : f32[N, I], units) {
  h = relu(Dense(x, units))
  return tanh(Dense(h, units, bias = false)) + h
}

model layers {
  input x : f32[4, 3, 6, 6]
  input t : f32[4, 5]
  c = Conv2d(x, 2, kernel = 3, bias = false)      # [4, 2, 4, 4]
  f = flatten(avgpool2d(relu(c), 2))              # [4, 8]
  b1 = Block(f, 7)
  out = Dense(Block(b1, 7), 5)
  output out
  loss mse(out, t)
  optimizer adam(lr = 0.005)
}
