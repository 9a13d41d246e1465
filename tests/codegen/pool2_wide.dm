# 2 x 2 max pooling with stride 2 over rows wider than one vector of 16
# windows (the kernels handle a row by vectors, the last one first), with
# ties: relu makes many windows all zero, and the first maximum gets dy.
model pool2_wide {
  input x : f32[2, 1, 9, 71]
  input y : i32[2]
  a = maxpool2d(relu(Conv2d(x, 2, kernel = 3, pad = 1)), 2)    # [2, 2, 9, 71] -> [2, 2, 4, 35]
  b = maxpool2d(tanh(Conv2d(x, 3, kernel = 2)), 2)             # [2, 3, 8, 70] -> [2, 3, 4, 35]
  logits = Dense(flatten(a), 3) + Dense(flatten(b), 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05)
}
