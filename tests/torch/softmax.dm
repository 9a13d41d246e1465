# softmax and log_softmax over the last axis (default), axis 0 of a matrix and
# the middle axis of a rank-3 tensor; adamw with its default weight decay.
model softmax {
  input x : f32[4, 5]
  input z : f32[2, 3, 4]
  input t : f32[4, 5]
  param W : f32[5, 5]
  param v : f32[2, 3, 4]
  l = x @ W
  p = softmax(l)
  q = log_softmax(l, axis = 0)
  r = softmax(z * v, axis = 1)
  s = log_softmax(z + v)
  u = log_softmax(z * v, axis = -2)
  output p
  output s
  loss mse(p, t) + mean(q * t) * 0.1 + sum(r * z) * 0.05 - mean(s * z) + mean(u * u) * 0.1
  optimizer adamw(lr = 0.01)
}
