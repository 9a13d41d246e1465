# bce on sigmoid outputs (probabilities well inside (0, 1)), soft and hard
# targets; adamw with explicit hyper-parameters.
model bce {
  input x : f32[8, 5]
  input t : f32[8, 2]
  h = tanh(Dense(x, 6))
  p = sigmoid(Dense(h, 2))
  output p
  loss bce(p, t)
  optimizer adamw(lr = 0.01, beta1 = 0.85, weight_decay = 0.1)
}
