# 2 x 2 max pooling with stride 2 (the kernels' fast path) over even and odd
# image sizes: an odd height or width leaves a last row or column that no
# window covers, whose gradient is 0.
model pool2 {
  input x : f32[3, 2, 7, 9]
  input y : i32[3]
  a = maxpool2d(x, 2)                               # [3, 2, 3, 4]
  b = maxpool2d(tanh(Conv2d(x, 3, kernel = 3)), 2)  # [3, 3, 5, 7] -> [3, 3, 2, 3]
  logits = Dense(flatten(a), 4) + Dense(flatten(b), 4)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05)
}
