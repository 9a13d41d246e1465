# BatchNorm1d on [N, C] and on [N, C, L], LayerNorm on ranks 2 and 3, and
# layer_norm over two axes, with Adam (batchnorm_mlp.py).
model batchnorm_mlp {
  input x : f32[6, 5]
  input t : f32[6, 4]
  h = tanh(Dense(x, 8))
  n1 = BatchNorm1d(h, momentum = 0.2)
  s = BatchNorm1d(tanh(reshape(n1, [6, 2, dim(h, 1) / 2])), eps = 1e-3)
  l3 = LayerNorm(tanh(s))
  g = LayerNorm(reshape(l3, shape(h)), eps = 1e-4)
  z = layer_norm(reshape(g, [6, 2, 4]), axis = 1, eps = 1e-5)
  out = Dense(flatten(z), 4)
  output o = out
  loss mse(out, t)
  optimizer adam(lr = 0.01)
}
