# The classes are the last axis of logits of rank 2 or more.
model m {
  input y : i32[10]
  param b : f32[10]
  loss softmax_cross_entropy(b, y)
  optimizer sgd(lr = 0.1)
}
