model calls {
  c1 = f()
  c2 = f(x)
  c3 = f(x, y, z)
  c4 = sum(x, axis = 1, keepdims = true)
  c5 = softmax(x, axis = -1)
  c6 = f(g(h(x)), k(1, 2))
  c7 = leaky_relu(x, alpha = 0.01,)
  c8 = Conv2d(x,
              16,
              kernel = 5)   # a call continued over lines
  c9 = f(a = g(b = 1))
  c10 = sum(x) / mean(y)
  c11 = dropout(x, 0.5)
}
