layer Bad(x) {
  input z : f32[2]
  return x
}
model m {
  input x : f32[4]
  output y = Bad(x)
}
