# A tiny language model with weight tying: the embedding table is also the
# output projection (logits = h @ E^T), so its gradient is the sum of both
# uses.  Next-token targets with padding (-100, ignored), a causal attention
# head, a residual and a tanh MLP; batch 1, 11 tokens, vocabulary 13, width 7.
model u_tied {
  input ids : i32[1, 11]
  input next : i32[1, 11]            # -100 where padded
  param E : f32[13, 7] = normal(0, 0.5)
  x = embedding(E, ids)              # [1, 11, 7]
  param Wq : f32[7, 7] = xavier
  param Wk : f32[7, 7] = xavier
  q = x @ Wq
  k = x @ Wk
  att = softmax(q @ transpose(k, [0, 2, 1]) / sqrt(7) + causal_mask(11))
  h = x + att @ x
  h2 = h + tanh(Dense(h, 7))
  logits = h2 @ transpose(E)         # [1, 11, 13]: tied
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, next, ignore = -100)
  optimizer adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6, weight_decay = 0.01)
}
