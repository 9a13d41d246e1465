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
