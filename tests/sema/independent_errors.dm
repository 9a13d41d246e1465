# several independent errors in one run, no cascades from poison
model m {
  input x : f32[4, 3]
  a = relu(xx)
  b = a @ x
  c = x @ x
  d = sigmoid(c, 1)
  output y = b + c + d
}
