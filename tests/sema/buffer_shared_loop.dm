# A layer with buffers in a plain loop: one instance (and buffers) per
# iteration, h.0.running_mean, h.1.running_mean.  In a shared loop the one
# instance would update its buffers once per iteration: an error.
model lb {
  input x : f32[4, 3]
  input t : f32[4, 3]
  h = x
  for i in range(2) {
    h = BatchNorm1d(h)
  }
  g = x
  for i in range(2) shared {
    g = BatchNorm1d(g)
  }
  output o = h + g
  loss mse(h + g, t)
  optimizer sgd(lr = 0.1)
}
