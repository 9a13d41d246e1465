# --in-place-update needs plain sgd: adam's update is refused at the optimizer.
model m {
  input x : f32[4, 2]
  input y : f32[4]
  param W : f32[2] = [0.1, 0.2]
  loss mse(x @ W, y)
  optimizer adam(lr = 0.01)
}
