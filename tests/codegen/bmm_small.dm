# Batched products on the GEMM's small path (linalg.c: operands in the caches,
# read in place): causal multi-head attention at tinygpt's per-head shapes
# (T = 64 positions, heads of d = 32: q k^T is 64 x 64 x 32, its backward
# products 64 x 32 x 64, plain and transposed), and a batch of 17 x 33 x 9
# products (a partial panel, k not a multiple of 16, the least rows the path
# takes but one) with both operands transposed.
model bmm_small {
  input x : f32[2, 64, 64]
  input t : f32[2, 64, 64]
  param P : f32[3, 9, 17] = normal(std = 0.3)
  param Q : f32[3, 33, 9] = normal(std = 0.3)
  y = MultiHeadAttention(x, 2, causal = true)
  r = transpose(P, [0, 2, 1]) @ transpose(Q, [0, 2, 1])   # [3, 17, 33]
  output out = y
  loss mse(y, t) + mean(r * r)
  optimizer sgd(lr = 0.1)
}
