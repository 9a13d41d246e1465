# The batched products of attention at a small GPT's shapes: batch 8 x 6
# heads = 48 matrices of T = 128 positions by d = 64: the scores q k^T (the
# transpose folds into the product) and the weighted values p v.
model attention {
  const bh = 48
  const T = 128
  const d = 64
  input q : f32[bh, T, d]
  input k : f32[bh, T, d]
  input p : f32[bh, T, T]
  input v : f32[bh, T, d]
  output s = q @ transpose(k, [0, 2, 1])
  output o = p @ v
}
