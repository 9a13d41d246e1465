# PyTorch's and Keras's argument names: dm's name for each
model m {
  input x : f32[4, 1, 8, 8]
  input v : f32[4, 3]
  c1 = Conv2d(x, 4, kernel = 3, padding = 1)
  c2 = Conv2d(x, 4, kernel_size = 3)
  c3 = Conv2d(x, in_channels = 1, filters = 4, kernel = 3)
  p = maxpool2d(x, kernel_size = 2)
  s = softmax(v, dim = 0)
  d = dropout(v, p = 0.5)
  e = Dense(v, out_features = 2)
  f = Dense(v, 2, activation = relu)
  output y = v
  loss mse(v, v)
  optimizer sgd(learning_rate = 0.1)
}
