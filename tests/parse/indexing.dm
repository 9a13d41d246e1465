model indexing {
  a = x[2]
  b = x[-1, :, 0:4]
  c = x[1:, :-1, ::2, 1:5:2]
  d = x[..., -1]
  e = relu(x)[0][1:]
  f = [1, 2, 3][::2]
  g = -x[0] + y[i + 1, n - 1:]
  h = x[0,]
  k = concat([a, b[:2]], axis = -1)
  m = stack(
    [a, b],
    axis = 0,
  )
  output o = x[
    1:3,   # rows
    ...,
  ]
}
