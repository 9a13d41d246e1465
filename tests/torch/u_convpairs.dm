# Convolutions with pairs: stride [2, 1], pad [0, 2], a non-square raw
# conv2d kernel, non-square pooling windows and strides, a 1x1 Conv2d
# without bias, and an odd image (2 x 3 x 13 x 11).  Adam with L2 decay.
model u_convpairs {
  input x : f32[2, 3, 13, 11]
  input y : i32[2]
  param k : f32[4, 3, 3, 2] = he
  a = relu(conv2d(x, k, stride = [2, 1], pad = [0, 2]))    # [2, 4, 6, 14]
  b = Conv2d(a, 5, kernel = 3, stride = [1, 2], pad = [1, 0])   # [2, 5, 6, 6]
  c = maxpool2d(tanh(b), [2, 3], stride = [2, 1])          # [2, 5, 3, 4]
  d = Conv2d(c, 3, kernel = 1, bias = false)               # [2, 3, 3, 4]
  e = avgpool2d(d, [3, 2], stride = [1, 2])                # [2, 3, 1, 2]
  logits = Dense(flatten(e), 4)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01, weight_decay = 0.01)
}
