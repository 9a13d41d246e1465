# Every built-in once, shapes inferred by sema (checked by hand in the .ir).
const classes = 3
model feat {
  const batch = 8                                  # -D batch=4 in features.flags
  input x : f32[batch, 2, 4, 4]
  input labels : i32[batch]
  input v : f32[6]
  param k : f32[3, 2, 3, 3] = normal(std = 0.1)
  param u : f32[6] = uniform(-1, 1)
  c = conv2d(x, k, stride = [1, 1], pad = 1)        # [4, 3, 4, 4]
  p = avgpool2d(leaky_relu(c, alpha = 0.2), 2)      # [4, 3, 2, 2]
  q = maxpool2d(p, 2, stride = 1)                    # [4, 3, 1, 1]
  f = reshape(q, [batch, -1])                        # [4, 3]
  t = transpose(f)                                   # [3, 4]
  s = sum(t, axis = [0, -1], keepdims = true)        # [1, 1]
  m = mean(f, axis = 1)                              # [4]
  n = max(abs(f) + exp(f) * sqrt(tanh(f) * tanh(f)), 0)   # [3]
  dot = u @ v                                        # f32 (vector . vector)
  mv = transpose(f) @ m                              # [3]
  vm = m @ f                                         # [3]
  oh = one_hot(labels + 1, classes)                  # [4, 3]
  d = dropout(f, 0.5) + dropout(f, 0.25)
  ls = log_softmax(d, axis = 0)
  output probs = softmax(-ls)
  output extra = mv + vm + n + dot + s * sigmoid(log(1 + m @ oh))
  loss bce(sigmoid(f), oh) + mse(f, oh)
  optimizer adamw(lr = 0.01, beta2 = 0.99)
}
