# Elementwise loops big enough to be split over threads (at least 2^17
# elements), with an odd number of rows (37) and an odd row length.
model threads_elementwise {
  input x : f32[37, 4099]
  input t : f32[37, 4099]
  param w : f32[4099]
  param b : f32[37, 1]
  y = tanh(x * w + b) * sigmoid(x - b)
  output y
  loss mse(y, t)
  optimizer adam(lr = 0.01)
}
