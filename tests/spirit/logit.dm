# Logistic regression with binary cross-entropy: a vector of weights drawn
# from normal(std = 0.1), a scalar bias, targets mapped into [0, 1], SGD with
# weight decay.
const features = 5

model logit {
  const n = 16
  input x : f32[n, features]
  input y : f32[n]
  param w : f32[features] = normal(std = 0.1)
  param bias : f32 = 0
  output prob = sigmoid(x @ w + bias)
  loss bce(prob, y * 0.5 + 0.5)
  optimizer sgd(lr = 0.1, weight_decay = 0.01)
}
