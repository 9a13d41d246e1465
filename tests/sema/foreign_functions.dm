# names of other frameworks' functions: a hint instead of a suggestion close
# in spelling but wrong in meaning (elu is not relu, amin is not min)
model m {
  input x : f32[4, 3]
  a = elu(x)
  b = amin(x)
  c = clamp(x, 0, 1)
  d = matmul(x, x)
  e = swish(x)
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
