# -D overrides a const anywhere, here inside a layer body; the value is
# checked where it is used
layer Wide(x : f32[N, I]) {
  const width = 8
  return Dense(x, width)
}
model m {
  input x : f32[2, 3]
  output y = Wide(x)
}
