# A train step of hundreds of nodes, which code generation splits into
# parts (cg_entry.c): every in-place update must land in the same part order
# as its gradient and the last read of the old parameter.
model deep {
  input x : f32[5, 7]
  input y : i32[5]
  h = x
  for i in range(20) {
    h = tanh(Dense(h, 7)) + 0.5 * h
  }
  loss softmax_cross_entropy(Dense(h, 3), y)
  optimizer sgd(lr = 0.1)
}
