# A small CNN: padded and strided convolutions, leaky_relu with its alpha,
# average pooling, a convolution without bias, log_softmax as the output,
# SGD with Nesterov momentum.
model smallcnn {
  const batch = 4
  input img : f32[batch, 2, 12, 12]
  input label : i32[batch]
  c1 = leaky_relu(Conv2d(img, 4, kernel = 3, pad = 1), alpha = 0.1)   # [4, 4, 12, 12]
  p1 = avgpool2d(c1, 2)                                                # [4, 4, 6, 6]
  c2 = leaky_relu(Conv2d(p1, 6, kernel = 3, stride = 2, bias = false)) # [4, 6, 2, 2]
  logits = Dense(flatten(c2), 3)                                       # [4, 24] -> [4, 3]
  output scores = log_softmax(logits)
  loss softmax_cross_entropy(logits, label)
  optimizer sgd(lr = 0.05, momentum = 0.9, nesterov = true)
}
