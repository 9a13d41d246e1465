# A param read at every step of a shared loop: one load of w, and its
# gradient is the sum of the steps' contributions.  By hand: h1 = x * w,
# h2 = h1 * w, loss = sum(h2); d loss/d h2 = 1, so step 2 gives 1 * h1 = x w
# and step 1 gives (1 * w) * x = w x: grad/w = x w + w x = 2 x w, the
# derivative of sum(x w^2) (the add %12 of graph gradients).
model shared_grad {
  input x : f32[3]
  param w : f32[3] = 0.5
  h = x
  for t in range(2) shared {
    h = h * w
  }
  loss sum(h)
  optimizer sgd(lr = 0.1)
}
