# docs/language.md: the seed's logistic model
model logreg {
  input  x : f32[4, 2]
  input  y : f32[4]
  param  W : f32[2] = [0.1, 0.2]
  param  b : f32    = 0.3
  output p = sigmoid(x @ W + b)
  loss   mse(p, y)
  optimizer sgd(lr = 0.01)
}
