# Batch and layer normalisation at odd sizes (the reductions' tails),
# model-level buffers with their own updates (a number fills one), and
# select(training, a, b) on the model's own tensors: the train step and the gradients entry update the
# buffers, the forward entry reads them.
model norm_odd {
  input x : f32[3, 5, 7, 9]
  input t : f32[3, 4]
  buffer seen : f32[5] = 0.5
  buffer steps : f32
  buffer flag : f32[4] = [1, 2, 3, 4]
  update steps = steps + 1
  update flag = 1.5
  b = BatchNorm2d(x, momentum = 0.3)
  c = Conv2d(tanh(b), 4, kernel = 3, bias = false)
  l = layer_norm(c, axis = 1)
  f = LayerNorm(mean(l, [2, 3]))
  update seen = seen * 0.5 + mean(x, [0, 2, 3])
  scaled = select(training, f * 2, f + reshape(sum(seen), [1, 1]) + steps * flag)
  output y = scaled
  loss mse(scaled, t)
  optimizer adam(lr = 0.01)
}
