model m {
  input x : f32[4, 3]
  output y = Dense(x, 2)
  loss mean(y)
  optimizer adam(lr = 0.1, betas = [0.9, 0.99], epsilon = 1e-6)
}
