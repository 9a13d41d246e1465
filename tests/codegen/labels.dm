# Class indices (tests/codegen/labels.test.sh, and difftest like every
# tests/codegen model).  `labels` reads y three ways: the loss, one_hot in
# the forward entry, and one_hot of a matrix of labels; `shifted` computes its
# labels (y + 1), which are checked at the entry's start like an input.
model labels {
  input x : f32[4, 2]
  input y : i32[4]
  input grid : i32[2, 3]
  param W : f32[2, 3] = [[0.5, -1, 2], [1.5, 0.25, -0.75]]
  logits = x @ W
  output hot = one_hot(y, 3)
  output cells = one_hot(reshape(grid, [6]), 5)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.1)
}

model shifted {
  input x : f32[4, 2]
  input y : i32[4]
  param W : f32[2, 4] = [[0.5, -1, 2, 0], [1.5, 0.25, -0.75, 1]]
  logits = x @ W
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y + 1)
  optimizer sgd(lr = 0.5)
}
