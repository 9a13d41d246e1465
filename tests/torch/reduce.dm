# sum, mean and max over all axes, one axis (positive and negative) with and
# without keepdims; adam with non-default betas and eps.
model reduce {
  input x : f32[3, 4, 5]
  param w : f32[3, 4, 5]
  param b : f32[5]
  z = x * w
  s0 = sum(z)                                 # scalar
  s1 = sum(z, axis = 1)                       # [3, 5]
  s2 = mean(z, axis = 2, keepdims = true)     # [3, 4, 1]
  s3 = sum(z, axis = 0, keepdims = true)      # [1, 4, 5]
  m0 = max(z, axis = 0)                       # [4, 5]
  m1 = max(z, axis = -1, keepdims = true)     # [3, 4, 1]
  m2 = max(z)                                 # scalar
  a0 = mean(z, axis = 0)                      # [4, 5]
  output o = s1 * b
  loss mean(s1 * s1) * 0.1 + mean(s2 * m1) + sum(m0 * a0) * 0.1 + m2 + s0 * 0.01 + mean(s3 * b) + mean(z)
  optimizer adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6)
}
