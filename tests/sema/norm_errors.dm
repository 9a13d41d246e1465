# Errors of the normalisation built-ins and layers, and of dim and shape.
model n {
  input x : f32[4, 3]
  input v : f32[4]
  input k : i32[4, 3]
  a = BatchNorm2d(x)
  b = BatchNorm1d(v)
  c = LayerNorm(k)
  d = layer_norm(x, axis = 2)
  e = layer_norm(x, eps = -1)
  f = dim(x, 5)
  g = dim(3, 0)
  h = shape([1, 2])
  output o = x
}
