layer Scale(x : f32[N], k = 2) {
  return x * k
}
model m {
  input x : f32[4]
  output y = Scale(3)
}
