# conv2d with stride 2, pad 1 and a non-square kernel; the Conv2d layer with
# pad and with stride; maxpool2d and avgpool2d with overlapping (size 3,
# stride 2; size 2, stride 1) and default strides; sgd with weight decay.
model conv {
  input x : f32[2, 3, 9, 8]
  input t : f32[2, 4, 2, 2]
  param k : f32[5, 3, 3, 2]
  a = conv2d(x, k, stride = 2, pad = 1)           # [2, 5, 5, 5]
  c1 = Conv2d(tanh(a), 4, kernel = 3, pad = 1)    # [2, 4, 5, 5]
  c2 = Conv2d(c1, 3, kernel = 2, stride = 2)      # [2, 3, 2, 2]
  m = maxpool2d(c1, 3, stride = 2)                # [2, 4, 2, 2]
  m2 = maxpool2d(c1, 2, stride = 1)               # [2, 4, 4, 4]
  g = avgpool2d(a, 3, stride = 2)                 # [2, 5, 2, 2]
  av = avgpool2d(c1, 2)                           # [2, 4, 2, 2]
  output m
  loss mse(m, t) + mean(m2 * m2) * 0.1 + mean(g * g) + mean(av * t) + mean(c2 * c2) * 0.5
  optimizer sgd(lr = 0.1, weight_decay = 0.05)
}
