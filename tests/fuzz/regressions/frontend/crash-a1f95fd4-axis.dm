# Softma'-'x and log-softmax over every axis, the fused losses, one_hot, and the
# reductions over several axes, on odd sizes.
model softmax_odd {
  input x : f32[3, 7, 33]
  input labels : i32[7]
  input target : f32[7, 33]
  param w : f32[3, 7, 33]
  z = x * w
  s0 = softmax(z, axis = 0)
  s1 = log_softmax(z, axis =99999999999999999999)
  logits = sum(z, axis = 0)                  # [7, 33]
  oh = one_hot(labels, 33)
  output p = s2
  loss softmax_cross_entropy(logits, labels) + mean(s0 * s1) + bce(sigmoid(logits), target * 0.5 + 0.5) + mean(oh * sum(s1, axis = 0))
  optimizer adam(lr = 0.01)
}
