# PyTorch's class names for the optimizers are dm's in lower case
model m {
  input x : f32[4, 3]
  output y = Dense(x, 2)
  loss mean(y)
  optimizer Adam(lr = 0.1)
}
