# Rank-4 batched products with broadcasting batch axes, batch size 1 and
# prime sizes: [1, 3, 7, 13] @ [2, 1, 13, 31] -> [2, 3, 7, 31], a vector on
# the right, a matrix on the left of a batch; dropout in training only,
# select(training, ...) and BatchNorm1d over [N, C, L].
model u_rank4 {
  input x : f32[1, 3, 7, 13]
  input t : f32[2, 3, 31]
  param A : f32[2, 1, 13, 31] = normal(0, 0.3)
  param v : f32[31] = uniform(-0.5, 0.5)
  param L : f32[7, 7] = normal(0, 0.3)
  h = tanh(x @ A)                                # [2, 3, 7, 31]
  d = dropout(h, 0.25)
  mixed = L @ d                                  # [7, 7] @ [2, 3, 7, 31]
  s = select(training, mixed * 0.9, mixed)       # a different scale per entry
  r = s @ v                                      # [2, 3, 7]
  bn = BatchNorm1d(r)                            # C = 3, L = 7, N = 2
  out = bn @ A[:, 0, :7]                         # [2, 3, 7] @ [2, 7, 31]
  output y = out
  loss mse(out, t)
  optimizer adam(lr = 0.01)
}
