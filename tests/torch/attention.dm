# A toy single-head causal self-attention block, the core of a small GPT:
# q, k, v projections of x [batch, T, C] (batched products against one
# weight), scores = q @ transpose(k) / sqrt(d) (the transpose folds into the
# product) plus a causal mask, softmax over the keys, @ v, an output
# projection with a residual, logits and softmax cross-entropy over every
# position; adam.
model attention {
  const batch = 2
  const T = 5
  const C = 8
  const d = 6
  const V = 7
  input x : f32[batch, T, C]
  input mask : f32[T, T]                  # 0 on and below the diagonal, -1e4 above
  input y : i32[batch * T]
  param Wq : f32[C, d] = xavier
  param Wk : f32[C, d] = xavier
  param Wv : f32[C, d] = xavier
  param Wo : f32[d, C] = xavier
  param Wl : f32[C, V] = xavier
  q = x @ Wq
  k = x @ Wk
  v = x @ Wv
  scores = q @ transpose(k, [0, 2, 1]) / sqrt(d) + mask
  att = softmax(scores)
  h = att @ v @ Wo + x
  logits = reshape(h @ Wl, [batch * T, V])
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
