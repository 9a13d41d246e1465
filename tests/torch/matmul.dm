# The matrix product in every rank combination the language allows:
# [N,K]@[K,M], [N,K]@[K], [K]@[K,M], [K]@[K]; sgd with nesterov momentum and
# weight decay.
model matmul {
  input x : f32[5, 4]
  input v : f32[4]
  input t : f32[5, 3]
  param W : f32[4, 3]
  param u : f32[3]
  param k : f32[4]
  m2 = x @ W                      # [5, 3]
  mv = x @ k                      # [5]
  vm = v @ W                      # [3]
  vv = k @ v                      # scalar
  r = m2 @ u                      # [5]
  output y = m2 * vv + vm + reshape(mv + r, [5, 1]) + vm @ u
  loss mse(y, t)
  optimizer sgd(lr = 0.02, momentum = 0.9, nesterov = true, weight_decay = 0.01)
}
