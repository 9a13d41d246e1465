# A GRU over the rows of an image-like input from a zero state written
# `zeros([N, H])` (torch.zeros), with `ones` and `full` in the gates, and
# `zeros(shape(x))` as zeros_like: constants that take no memory, read by
# loops and differentiated through.  T 4, N 3, I 5, H 6.
const H = 6

model u_zeros {
  input x : f32[3, 4, 5]              # [batch, time, features]
  input y : i32[3]
  param Wz : f32[5 + H, H] = xavier
  param Wr : f32[5 + H, H] = xavier
  param Wc : f32[5 + H, H] = xavier
  param bz : f32[H] = zeros
  h = zeros([3, H])
  for t in range(4) shared {
    xt = x[:, t, :] + zeros(shape(x[:, t, :]))
    xh = concat([xt, h], axis = 1)
    z = sigmoid(xh @ Wz + bz - full([3, H], 0.25))
    r = sigmoid(xh @ Wr)
    c = tanh(concat([xt, r * h], axis = 1) @ Wc)
    h = (ones([3, H]) - z) * h + z * c
  }
  logits = Dense(h, 4)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
