# Two transformer-ish blocks in a plain loop (own weights per iteration),
# multi-head causal attention written by hand with rank-4 reshapes and
# transposes, dropout in each block (two sites per iteration), a hand-made
# normalisation with std / mean keepdims next to layer_norm over the last
# two axes, and a user layer with a '...' pattern.  Batch 1, T 5, width 6,
# 2 heads; adamw.
layer Proj(x : f32[..., I], out) {
  param W : f32[I, out] = xavier
  return x @ W
}

layer Attend(x : f32[N, T, D], heads) {
  const d = D / heads
  q = transpose(reshape(Proj(x, D), [N, T, heads, d]), [0, 2, 1, 3])
  k = transpose(reshape(Proj(x, D), [N, T, heads, d]), [0, 2, 1, 3])
  v = transpose(reshape(Proj(x, D), [N, T, heads, d]), [0, 2, 1, 3])
  w = softmax(q @ transpose(k, [0, 1, 3, 2]) / sqrt(d) + causal_mask(T))
  return reshape(transpose(w @ v, [0, 2, 1, 3]), [N, T, D])
}

model u_blocks {
  input x : f32[1, 5, 6]
  input t : f32[1, 5, 6]
  h = x
  for i in range(2) {
    z = (h - mean(h, axis = -1, keepdims = true)) / (std(h, axis = -1, keepdims = true, unbiased = false) + 1e-3)
    a = h + dropout(Attend(z, 2), 0.1)
    h = a + dropout(tanh(Proj(layer_norm(a, axis = -2), 6)), 0.2)
  }
  output y = h
  loss mse(h, t)
  optimizer adamw(lr = 0.01, beta1 = 0.85)
}
