layer Bilinear(x : f32[N, I], y : f32[N, I], units) {
  param W : f32[I, units]
  return (x * y) @ W
}
model m {
  input a : f32[8, 3]
  input b : f32[8, 5]
  output y = Bilinear(a, b, 2)
}
