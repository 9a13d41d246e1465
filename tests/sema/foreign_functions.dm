# names of other frameworks' functions: a hint instead of a suggestion close
# in spelling but wrong in meaning (gelu is not relu, min is not mean)
model m {
  input x : f32[4, 3]
  a = gelu(x)
  b = min(x)
  c = pow(x, 2)
  d = matmul(x, x)
  e = silu(x)
  f = cross_entropy(x, x)
  g = sub(x, x)
  h = view(x, [12])
  i = rleu(x)
  j = Linear(x, 3)
  k = GroupNorm(x, 2)
  l = MaxPool2d(x, 2)
  n = Conv2D(x, 3, kernel = 3)
  output y = x
}
