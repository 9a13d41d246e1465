layer Twice(x) {
  return x
  return x * 2
}
model m {
  input x : f32[4]
  output y = Twice(x)
}
