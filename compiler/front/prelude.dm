# prelude.dm: the standard layers, written in dm and compiled into dmc
# (parsed before the user's file).  See docs/language.md.

# x [N, I] -> [N, units]: x @ W + b.  With bias = false the select never
# evaluates b, so the instance has no parameter b.
layer Dense(x : f32[N, I], units, bias = true) {
  param W : f32[I, units] = xavier
  param b : f32[units] = zeros
  return select(bias, x @ W + b, x @ W)
}

# x [N, C, H, W] -> [N, filters, OH, OW]; the bias is added per filter.
layer Conv2d(x : f32[N, C, _, _], filters, kernel, stride = 1, pad = 0, bias = true) {
  param W : f32[filters, C, kernel, kernel] = he
  param b : f32[filters] = zeros
  y = conv2d(x, W, stride = stride, pad = pad)
  return select(bias, y + reshape(b, [filters, 1, 1]), y)
}

# ids (i32, any shape) -> f32[ids..., dim]: row ids[...] of a table of num
# vectors (PyTorch's nn.Embedding, whose weight starts N(0, 1)).  An id
# outside [0, num) makes the entry fail with DM_ERANGE.
layer Embedding(ids, num, dim) {
  param W : f32[num, dim] = normal(0, 1)
  return embedding(W, ids)
}
