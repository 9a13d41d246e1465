# a layer body does not see its caller's names
layer Leaky(x) {
  return x * scale
}
model m {
  const scale = 2
  input x : f32[4]
  output y = Leaky(x)
}
