# Dense layers over odd sizes, including K > 256 and N > 64 (the blocks of
# the matmul kernel) and a batch of 1; the backward pass runs both transposed
# forms.
model matmul_odd {
  input x : f32[7, 300]
  input t : f32[7, 3]
  h1 = tanh(Dense(x, 65))
  h2 = relu(Dense(h1, 33))
  h3 = Dense(h2, 1)
  output y = Dense(sigmoid(h3) + h2, 3)
  loss mse(y, t)
  optimizer sgd(lr = 0.05, momentum = 0.9, nesterov = true)
}

model batch_one {
  input x : f32[1, 7]
  input t : f32[1, 3]
  output y = Dense(relu(Dense(x, 3)), 3)
  loss mse(y, t)
  optimizer adamw(lr = 0.01)
}
