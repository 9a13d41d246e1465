# in_place.test.sh: weight tying, one parameter read in two places (an
# encoder and its transposed decoder): its gradient is the sum of two
# contributions and its update must wait for both and for every read of the
# old value (the decoder's forward and backward), with weight decay.
model tied {
  input x : f32[4, 6]
  param W : f32[6, 3] = xavier
  param b : f32[3] = 0.1
  h = tanh(x @ W + b)
  r = h @ transpose(W)
  output r
  loss mse(r, x)
  optimizer sgd(lr = 0.2, weight_decay = 0.01)
}
