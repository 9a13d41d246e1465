# The ignored label is a label: an i32 integer.
model m {
  input x : f32[4, 3]
  input y : i32[4]
  param b : f32[3]
  a = softmax_cross_entropy(x + b, y, ignore = 0.5)
  loss softmax_cross_entropy(x + b, y, ignore = 1e10)
  optimizer sgd(lr = 0.1)
}
