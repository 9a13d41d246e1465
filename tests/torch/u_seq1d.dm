# A 1-D sequence model a user would write without a conv layer: features
# from shifted slices (x[:, 1:] - x[:, :-1]), reversed order by negative
# indices, every other step, concat and stack, masks (where, comparisons),
# clip / minimum / maximum, var and std over time.  Batch 3, 13 steps, 5 features.
model u_seq1d {
  input x : f32[3, 13, 5]
  input t : f32[3, 4]
  param w : f32[5] = [0.5, -0.25, 1.0, 0.75, -0.5]
  param gate : f32[5, 5] = xavier
  diff = x[:, 1:] - x[:, :-1]                           # [3, 12, 5]
  evens = x[:, ::2]                                     # [3, 7, 5]
  ends = stack([x[:, 0], x[:, -1], x[:, -2]], axis = 1)  # [3, 3, 5]
  seq = concat([diff, evens, ends], axis = 1)           # [3, 22, 5]
  s = seq * w
  pos = where(s > 0, s, 0.1 * s)                        # a leaky relu by hand
  bounded = clip(pos @ gate, -1.5, 2) + minimum(s, 0.3) - maximum(s, -0.2)
  few = (x[..., 0] >= 0) * (x[..., 1] < 0.5)            # a mask of [3, 13]
  count = sum(few, axis = 1, keepdims = true)           # [3, 1], no gradient
  m = mean(bounded, axis = 1)                           # [3, 5]
  v = var(bounded, axis = 1)
  sd = std(seq, axis = [1, 2], unbiased = false)        # [3]
  feats = concat([m[:, :2], v[:, 2:3], reshape(sd, [3, 1]) + count * 0.01], axis = -1)   # [3, 4]
  output y = feats
  loss mse(feats, t)
  optimizer sgd(lr = 0.05, momentum = 0.5, weight_decay = 0.01)
}
