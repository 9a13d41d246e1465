# Integer tensors in the model: labels computed from inputs (y + 1 - 1,
# the minimum/maximum of i32s), ids computed for a gather (E[ids * 2 + 1]),
# a comparison of i32s as a mask, casts both ways, one_hot of computed
# classes, where on an i32 condition; softplus, log_softmax and
# leaky_relu on the f32 side.  Batch 3, 7 classes.
model u_intops {
  input ids : i32[3, 4]
  input y : i32[3]
  input x : f32[3, 7]
  param E : f32[9, 7] = normal(0, 0.5)
  rows = E[minimum(ids * 2 + 1, 8)]                 # ids in [0, 4): rows 1, 3, 5, 7
  h = mean(rows, axis = 1)                          # [3, 7]
  labels = maximum(y + 1 - 1, 0)                    # the same labels
  big = f32(ids >= 2)                               # [3, 4] mask
  q = i32(x * 3)                                    # truncation toward zero
  qf = f32(clip(f32(q), -2, 2))
  onehot = one_hot(labels, 7)
  g = where(q, softplus(x, beta = 2), leaky_relu(x, alpha = 0.2))   # q != 0
  logits = h + g + qf * 0.1 + onehot * 0.5 + sum(big, axis = 1, keepdims = true) * 0.05
  output lp = log_softmax(logits)
  loss softmax_cross_entropy(logits, labels)
  optimizer sgd(lr = 0.2)
}
