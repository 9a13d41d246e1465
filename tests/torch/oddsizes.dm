# Sizes that are not multiples of any vector width or register block (the
# kernels' remainder loops): Dense with bias and relu epilogues over 13 x 37
# -> 29 -> 19 -> 7, Conv2d over an 11 x 13 image with 5 -> 9 channels, and a
# row of 1 x 1 matrices; adam.
model oddsizes {
  input x : f32[13, 37]
  input im : f32[3, 5, 11, 13]
  input t : f32[13, 7]
  h1 = relu(Dense(x, 29))
  h2 = tanh(Dense(h1, 19))
  out = Dense(h2, 7)
  c = Conv2d(im, 9, kernel = 3, pad = 1)          # [3, 9, 11, 13]
  p = maxpool2d(relu(c), 3, stride = 2)           # [3, 9, 5, 6]
  one = Dense(reshape(mean(out, axis = 1), [13, 1]), 1)
  output out
  loss mse(out, t) + mean(p * p) * 0.1 + mean(one * one)
  optimizer adam(lr = 0.003)
}
