model m {
  input x : f32[64, 784]
  param W2 : f32[128, 10]
  output h = x @ W2
}
