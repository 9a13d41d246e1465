# A ResNet-style CNN: a stem convolution, two residual blocks (conv, batch
# norm, relu, conv, batch norm, add the input, relu), the second with a
# strided 1x1 projection on its shortcut, global average pooling and a
# linear classifier.  Odd sizes: 2 images of 3 x 7 x 7, 5 and 6 channels.
layer Basic(x : f32[N, C, H, W], filters, stride = 1) {
  a = relu(BatchNorm2d(Conv2d(x, filters, kernel = 3, stride = stride, pad = 1, bias = false)))
  b = BatchNorm2d(Conv2d(a, filters, kernel = 3, pad = 1, bias = false))
  short = select(stride == 1, x, BatchNorm2d(Conv2d(x, filters, kernel = 1, stride = stride, bias = false)))
  return relu(b + short)
}

model u_resnet {
  input x : f32[2, 3, 7, 7]
  input y : i32[2]
  stem = relu(Conv2d(x, 5, kernel = 3, pad = 1))
  r1 = Basic(stem, 5)                       # 5 x 7 x 7
  r2 = Basic(r1, 6, stride = 2)             # 6 x 4 x 4
  pooled = mean(r2, axis = [2, 3])          # global average pooling: [2, 6]
  logits = Dense(pooled, 3)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05, momentum = 0.9, weight_decay = 1e-3)
}
