# PyTorch rejects nesterov without momentum; so does dmc
model m {
  input x : f32[4]
  param w : f32[4]
  loss sum(x * w)
  optimizer sgd(lr = 0.1, nesterov = true)
}
