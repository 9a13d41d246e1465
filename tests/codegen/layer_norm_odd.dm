# layer_norm as one op (its kernel pair) at odd row lengths: 37 (two vector
# blocks of 16 and a tail of 5), 3 (a tail only) and 2 * 19 = 38 over two
# axes, eps = 0 included; then gelu of both forms on the normalised rows so
# that their adjoints read a layer_norm's output.
model layer_norm_odd {
  input x : f32[5, 37]
  input z : f32[4, 2, 19]
  input t : f32[5, 3]
  a = LayerNorm(x * 1.5 + 0.25)
  b = gelu(a) + gelu(layer_norm(x, eps = 0), approximate = true)
  h = Dense(b, 3)
  c = layer_norm(z, axis = 1, eps = 1e-3)
  s = mean(layer_norm(h, eps = 1e-2), [1]) + mean(gelu(c, approximate = true))
  loss mse(h + reshape(s, [5, 1]), t)
  output y = h
  optimizer sgd(lr = 0.1)
}
