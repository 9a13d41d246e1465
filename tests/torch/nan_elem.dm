# NaN, infinities, signed zeros, huge and tiny values through every
# elementwise function: the forward values and the gradients must be
# PyTorch's in float32, the non-finite ones exactly (nan_elem.py lists the
# values; docs/language.md, "Numbers: NaN and infinities").
model nan_elem {
  input w : f32[14]              # upstream gradient of relu and leaky_relu: ones, infinities, a NaN
  param a : f32[14]
  param b : f32[14]
  param c : f32[14]
  param d : f32[14]
  param e : f32[14]
  param f : f32[14]
  param g : f32[14]
  param h : f32[14]
  param k : f32[14]
  output ra = relu(a)
  output lb = leaky_relu(b)
  output ac = abs(c)
  output sd = sqrt(d)
  output le = log(e)
  output ef = exp(f)
  output sg = sigmoid(g)
  output th = tanh(h)
  output sp = softplus(k)
  loss sum(ra * w) + sum(lb * w) + sum(ac) + sum(sd) + sum(le) + sum(ef) + sum(sg) + sum(th) + sum(sp)
  optimizer sgd(lr = 0.1)
}
