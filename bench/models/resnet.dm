# A ResNet-style CNN with batch norm (two residual blocks of 3x3 convolutions),
# the compile-time benchmark's modern model beside tinygpt (bench/compile_scaling.py).
layer Res(x : f32[N, C, H, W]) {
  h = relu(BatchNorm2d(Conv2d(x, C, 3, pad = 1, bias = false)))
  h2 = BatchNorm2d(Conv2d(h, C, 3, pad = 1, bias = false))
  return relu(x + h2)
}
model resnet {
  input x : f32[8, 1, 28, 28]
  input y : i32[8]
  h = relu(BatchNorm2d(Conv2d(x, 16, 3, pad = 1)))
  for i in range(2) {
    h = Res(h)
  }
  p = avgpool2d(h, 28)
  logits = Dense(flatten(p), 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.0005)
}
