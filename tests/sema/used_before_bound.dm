# A name used before its statement: the note points at the later binding
# (in a model and in a layer).
model m {
  input x : f32[4]
  output y = x * w + h
  param w : f32[4]
  h = x * 2
}
layer B(x) {
  y = x * k
  k = 2
  return y
}
model q {
  input x : f32[4]
  output z = B(x)
}
