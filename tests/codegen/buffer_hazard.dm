# A buffer the backward pass reads after its update is stored: d loss / d W
# = x^T (dy * s) needs the s from before the step (the memory plan keeps a
# snapshot of the load; the interpreter stores everything last).  The update
# reads s too, so it cannot be computed in place before the other readers.
model buffer_hazard {
  input x : f32[5, 3]
  input t : f32[5, 3]
  buffer s : f32[3] = [0.5, 1.5, -2]
  param W : f32[3, 3] = xavier
  y = (x @ W) * s
  update s = s * 0.5 + mean(y, 0)
  output o = y
  loss mse(y, t)
  optimizer sgd(lr = 0.1)
}
