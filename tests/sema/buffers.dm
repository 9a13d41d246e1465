# The entries of buffers and updates: the model's buffer s and the layer's
# centre_0.avg are loaded where first read; in the gradients entry (and
# train_step) both updates are stored after everything else of the forward
# pass (after the loss), so every read sees the value from before the step,
# and select(training, mu, avg) is mu; the forward entry reads avg and
# stores no buffer.
layer Centre(x : f32[N, D]) {
  buffer avg : f32[D] = 0.5
  mu = mean(x, 0)
  update avg = avg * 0.9 + mu * 0.1
  return x - select(training, mu, avg)
}

model buffers {
  input x : f32[4, 3]
  input t : f32[4, 3]
  buffer s : f32[3] = ones
  update s = s + 1
  c = Dense(Centre(x * s), 3)
  output y = c
  loss mse(c, t)
  optimizer sgd(lr = 0.1)
}
