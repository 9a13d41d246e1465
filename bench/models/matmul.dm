# A matmul-bound model: one 1024 x 1024 by 1024 x 1024 product.
model matmul {
  input x : f32[1024, 1024]
  param W : f32[1024, 1024] = normal(std = 0.03)
  output y = x @ W
}
