# an unknown name, with a suggestion
model m {
  input x : f32[4, 3]
  hidden = relu(x)
  output y = hiden * 2
}
