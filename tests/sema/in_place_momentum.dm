# --in-place-update needs sgd without momentum: refused at the optimizer.
model m {
  input x : f32[4, 2]
  input y : f32[4]
  param W : f32[2] = [0.1, 0.2]
  loss mse(x @ W, y)
  optimizer sgd(lr = 0.01, momentum = 0.9)
}
