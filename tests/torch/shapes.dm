# reshape (with -1), transpose (the matrix default and explicit permutations
# of rank 3), flatten (ranks 3 and 4); adam with L2 weight decay.
model shapes {
  input x : f32[2, 3, 4]
  input t : f32[6, 4]
  param W : f32[4, 6]
  param p : f32[2, 3, 4]
  a = reshape(x * p, [6, -1])           # [6, 4]
  b = transpose(a)                      # [4, 6]
  c = transpose(x + p, [2, 0, 1])       # [4, 2, 3]
  d = flatten(c)                        # [4, 6]
  e = reshape(b * d, [4, 2, 3])
  f = flatten(transpose(e, [1, 2, 0]))  # [2, 12]
  g = reshape(f, [6, 4])
  h = flatten(reshape(x * p, [2, 3, 2, 2]))   # [2, 12]
  output y = g + tanh(a @ W) @ transpose(W) + reshape(h, [6, 4])
  loss mse(y, t)
  optimizer adam(lr = 0.01, weight_decay = 0.1)
}
