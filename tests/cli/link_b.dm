# link_b.dm: see link_a.dm.  A convolution, pooling and a training step.
model pool {
  input x : f32[1, 1, 4, 4]
  param k : f32[1, 1, 2, 2] = ones
  output m = maxpool2d(x, 2)
  output s = conv2d(x, k, stride = 2)
  output d = Dense(flatten(x), 3)
}

model fit {
  input x : f32[2]
  input t : f32[2]
  param w : f32 = 0.5
  output p = x * w
  loss mse(p, t)
  optimizer sgd(lr = 0.1)
}
