# The operators' precedence, high to low: call, ** (right associative, above
# a unary minus on its left, taking one on its right), unary minus, @ * /,
# + -, comparisons (not chained).  The casts f32(...) and i32(...) are calls.
model m {
  input x : f32[4]
  input k : i32[4]
  a = -x ** 2
  b = 2 ** 3 ** 2
  c = x ** -1 * 2
  d = --x ** 2 ** -0.5
  e = x + 1 < x * 2 - 1
  f = x <= 1
  g = x > 0
  h = x >= 0
  i = x == x ** 2
  j = x != -x
  l = f32(k) + f32(i32(x))
  output y = (x < 0) * x + a
}
