# BatchNorm2d in a small CNN: the running statistics are buffers, updated by
# each training step and used by the forward entry (batchnorm_cnn.py).
model batchnorm_cnn {
  input x : f32[4, 2, 6, 6]
  input y : i32[4]
  c = Conv2d(x, 3, kernel = 3, bias = false)   # the batch norm would cancel a bias
  b = BatchNorm2d(c)
  p = avgpool2d(tanh(b), 2)
  logits = Dense(flatten(p), 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
