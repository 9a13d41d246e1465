# a layer named in lower case: one error, at its declaration; its call
# (which reads as a function call) adds none
layer block(x) {
  return relu(x)
}
model m {
  input x : f32[4]
  output y = block(x)
}
