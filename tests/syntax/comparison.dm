# comparisons are not dm's: one error per statement, the rest of it dropped
model m {
  input x : f32[4]
  a = select(x > 0, x, -x)
  b = x >= 1
  c = x == x
  output y = x
}
