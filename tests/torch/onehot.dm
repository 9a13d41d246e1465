# one_hot in a loss next to softmax_cross_entropy and log_softmax; adam with
# non-default hyper-parameters.
model onehot {
  input x : f32[6, 4]
  input y : i32[6]
  logits = Dense(x, 5)
  oh = one_hot(y, 5)
  output p = softmax(logits)
  output oh
  loss mse(p, oh) + softmax_cross_entropy(logits, y) - mean(sum(oh * log_softmax(logits), axis = 1)) * 0.5
  optimizer adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99, eps = 1e-6)
}
