layer Deep(x, n) {
  return Deep(x * 2, n - 1)
}
model m {
  input x : f32[4]
  output y = Deep(x, 3)
}
