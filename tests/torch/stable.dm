# Numerical stability at large magnitudes: logits up to about 200, where a
# naive exp overflows float32 (softmax, log_softmax, softmax_cross_entropy,
# sigmoid, tanh must stay finite and agree with PyTorch).
model stable {
  input x : f32[4, 3]
  input y : i32[4]
  input t : f32[4, 6]
  param W : f32[3, 6]
  l = x @ W
  output p = softmax(l)
  output s = sigmoid(l)
  loss softmax_cross_entropy(l, y) + mean(log_softmax(l, axis = 0) * t) * 0.01 + mean(sigmoid(l) * t) + mean(tanh(l) * t)
  optimizer sgd(lr = 0.001)
}
