# warnings: a loss no param influences; its Dense params are not reported again
model m {
  input x : f32[4, 3]
  input t : f32[4, 2]
  output p = Dense(x, 2)
  loss mse(t, t * 2)
  optimizer sgd(lr = 0.1)
}
