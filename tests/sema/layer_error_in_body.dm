# an error inside a layer body is shown with the call that expanded it
layer Scale(x, k) {
  return x @ k
}
model m {
  input x : f32[4, 3]
  param k : f32[4]
  output y = Scale(x, k)
}
