# layers are upper case, functions lower case
model m {
  input x : f32[4, 3]
  a = Relu(x)
  b = dense(x, 3)
  output y = a + b
}
