# examples/fashion_cnn: a stronger CNN for Fashion-MNIST, without batch
# normalisation or augmentation: two convolution blocks of 3x3 kernels,
# max pooling, and a dropout-regularised dense layer.
layer ConvBlock(x, filters) {
  return maxpool2d(relu(Conv2d(x, filters, kernel = 3, pad = 1)), 2)
}

model cnn {
  const batch = 64
  input x : f32[batch, 1, 28, 28]
  input y : i32[batch]
  b1 = ConvBlock(x, 32)                  # [batch, 32, 14, 14]
  b2 = ConvBlock(b1, 64)                 # [batch, 64, 7, 7]
  h = relu(Dense(flatten(b2), 256))
  logits = Dense(dropout(h, 0.5), 10)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.001)
}
