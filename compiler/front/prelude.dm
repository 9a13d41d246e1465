# prelude.dm: the standard layers, written in dm and compiled into dmc
# (parsed before the user's file).  See docs/language.md.

# x [N, I] -> [N, units]: x @ W + b.  With bias = false the select never
# evaluates b, so the instance has no parameter b.
layer Dense(x : f32[..., I], units, bias = true) {
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

# One step of a gated recurrent unit, PyTorch's GRUCell equations (gates r, z, n):
#   r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
#   z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
#   n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
#   h' = (1 - z) * n + z * h
# x [N, I], h [N, H] -> [N, H]; every parameter starts uniform in
# +-1/sqrt(H), as PyTorch's.  Apply it over time steps in a shared loop:
#   for t in range(T) shared { h = GRUCell(x_t, h) }
layer GRUCell(x : f32[N, I], h : f32[N, H]) {
  const k = 1 / sqrt(H)
  param W_ir : f32[I, H] = uniform(-k, k)
  param W_iz : f32[I, H] = uniform(-k, k)
  param W_in : f32[I, H] = uniform(-k, k)
  param W_hr : f32[H, H] = uniform(-k, k)
  param W_hz : f32[H, H] = uniform(-k, k)
  param W_hn : f32[H, H] = uniform(-k, k)
  param b_ir : f32[H] = uniform(-k, k)
  param b_iz : f32[H] = uniform(-k, k)
  param b_in : f32[H] = uniform(-k, k)
  param b_hr : f32[H] = uniform(-k, k)
  param b_hz : f32[H] = uniform(-k, k)
  param b_hn : f32[H] = uniform(-k, k)
  r = sigmoid(x @ W_ir + b_ir + h @ W_hr + b_hr)
  z = sigmoid(x @ W_iz + b_iz + h @ W_hz + b_hz)
  n = tanh(x @ W_in + b_in + r * (h @ W_hn + b_hn))
  return (1 - z) * n + z * h
}

# x [..., D] -> layer_norm over the last axis, then weight * y + bias
# (PyTorch's nn.LayerNorm(D)).
layer LayerNorm(x, eps = 1e-5) {
  param weight : f32[dim(x, -1)] = ones
  param bias : f32[dim(x, -1)] = zeros
  return layer_norm(x, eps = eps) * weight + bias
}

# Batch normalisation per channel (axis 1), as PyTorch's nn.BatchNorm1d
# (x [N, C] or [N, C, L]) and nn.BatchNorm2d (x [N, C, H, W]).  x is viewed
# as [N, C, L] (L = 1 for [N, C]).  Training entries: the batch's mean and
# biased variance normalise, and the running statistics move by momentum
# towards the batch's mean and *unbiased* variance (PyTorch's rule).  The
# forward entry normalises with the running statistics.  The two layers
# differ only in the input pattern (dm has no rank-generic pattern), so
# BatchNorm2d's body repeats this one.
layer BatchNorm1d(x, momentum = 0.1, eps = 1e-5) {
  const C = dim(x, 1)
  param weight : f32[C] = ones
  param bias : f32[C] = zeros
  buffer running_mean : f32[C] = zeros
  buffer running_var : f32[C] = ones
  xr = reshape(x, [dim(x, 0), C, -1])
  const count = dim(xr, 0) * dim(xr, 2)
  mu = mean(xr, [0, 2])
  d = xr - reshape(mu, [C, 1])
  var = mean(d * d, [0, 2])
  update running_mean = running_mean * (1 - momentum) + mu * momentum
  update running_var = running_var * (1 - momentum) + var * (momentum * count) / (count - 1)   # unbiased
  y = select(training, d / sqrt(reshape(var, [C, 1]) + eps),
             (xr - reshape(running_mean, [C, 1])) / sqrt(reshape(running_var, [C, 1]) + eps))
  return reshape(y * reshape(weight, [C, 1]) + reshape(bias, [C, 1]), shape(x))
}

layer BatchNorm2d(x : f32[N, C, H, W], momentum = 0.1, eps = 1e-5) {
  param weight : f32[C] = ones
  param bias : f32[C] = zeros
  buffer running_mean : f32[C] = zeros
  buffer running_var : f32[C] = ones
  xr = reshape(x, [N, C, H * W])
  const count = N * H * W
  mu = mean(xr, [0, 2])
  d = xr - reshape(mu, [C, 1])
  var = mean(d * d, [0, 2])
  update running_mean = running_mean * (1 - momentum) + mu * momentum
  update running_var = running_var * (1 - momentum) + var * (momentum * count) / (count - 1)   # unbiased
  y = select(training, d / sqrt(reshape(var, [C, 1]) + eps),
             (xr - reshape(running_mean, [C, 1])) / sqrt(reshape(running_var, [C, 1]) + eps))
  return reshape(y * reshape(weight, [C, 1]) + reshape(bias, [C, 1]), [N, C, H, W])
}

# Multi-head self-attention over x [N, T, D] -> [N, T, D], as PyTorch's
# nn.MultiheadAttention(D, heads, batch_first=True) called with x as query,
# key and value: one projection qkv.W [D, 3D] (in_proj_weight transposed; q,
# k, v in that order), heads of D / heads features, softmax(q k^T / sqrt(d)) v
# per head, then the output projection proj.  causal = true masks the keys
# after each query (causal_mask), as attn_mask = a -inf upper triangle.
layer MultiHeadAttention(x : f32[N, T, D], heads, causal = false) {
  const d = D / heads
  qkv = Dense(x, 3 * D)
  q = transpose(reshape(qkv[:, :, 0:D], [N, T, heads, d]), [0, 2, 1, 3])
  k = transpose(reshape(qkv[:, :, D:2 * D], [N, T, heads, d]), [0, 2, 1, 3])
  v = transpose(reshape(qkv[:, :, 2 * D:], [N, T, heads, d]), [0, 2, 1, 3])
  scores = q @ transpose(k, [0, 1, 3, 2]) / sqrt(d)
  weights = softmax(select(causal, scores + causal_mask(T), scores))
  proj = Dense(reshape(transpose(weights @ v, [0, 2, 1, 3]), [N, T, D]), D)
  return proj
}
