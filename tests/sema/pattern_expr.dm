# a pattern dimension may be an expression of names bound to its left
layer Pair(x : f32[N, W], y : f32[N, 2 * W]) {
  return y
}
model m {
  input a : f32[3, 4]
  input ok : f32[3, 8]
  input bad : f32[3, 7]
  output y = Pair(a, ok)
  output z = Pair(a, bad)
}
