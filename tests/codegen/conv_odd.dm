# Convolution and pooling with odd sizes, strides 1 to 3 and padding 0 to 2.
model conv_odd {
  input x : f32[3, 1, 11, 7]
  input y : i32[3]
  c1 = relu(Conv2d(x, 3, kernel = 3, stride = 3, pad = 2))   # [3, 3, 5, 4]
  c2 = tanh(Conv2d(c1, 5, kernel = 2, pad = 1))              # [3, 5, 6, 5]
  p1 = maxpool2d(c2, 3, stride = 1)                           # [3, 5, 4, 3]
  p2 = avgpool2d(c2, 2, stride = 3)                           # [3, 5, 2, 2]
  f = flatten(p1)
  logits = Dense(f, 7) + Dense(flatten(p2), 7)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05)
}
