# Indexing, slicing, concat and stack (docs/language.md "Indexing"): integer
# indices (negative too) that drop an axis, slices with steps, clamped stops
# and an ellipsis, a GLU-style split of one matrix into two halves, concat
# along the last axis and stack along a new middle one; sgd with momentum.
model index {
  input x : f32[5, 7, 6]
  input t : f32[5, 4]
  param W : f32[6, 8]
  param U : f32[7, 3]
  param b : f32[3, 4]
  h = reshape(reshape(x, [35, 6]) @ W, [5, 7, 8])
  glu = h[..., :4] * sigmoid(h[..., 4:])           # [5, 7, 4]
  first = glu[:, 0]                     # [5, 4]
  last = glu[:, -1]                     # [5, 4]
  odd = glu[:, 1::2]                    # [5, 3, 4]
  s = stack([first, last, odd[:, 1]], axis = 1)    # [5, 3, 4]
  c = concat([s, odd, glu[:, 2:100][:, :1]], axis = 1)   # [5, 7, 4]
  m = reshape(reshape(transpose(c, [0, 2, 1]), [20, 7]) @ U, [5, 4, 3])
  y = concat([sum(m, axis = -1), mean(m[:, 1:3] + b[-1, :3], axis = -1)], axis = -1)   # [5, 6]
  output out = y[:, :4] + tanh(y[:, 2:]) * b[0]
  loss mse(out, t)
  optimizer sgd(lr = 0.05, momentum = 0.9)
}
