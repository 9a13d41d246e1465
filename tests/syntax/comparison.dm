# comparisons do not chain (Python's a < b < c means a < b and b < c; dm says
# how to write that): one error at the second comparison of each chain
model m {
  input x : f32[4]
  a = 0 < x < 1
  b = x >= 1 == 1
  c = x == x + 1 * 2 != 0
  output y = x
}
