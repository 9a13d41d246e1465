# --check-numerics: log(p) of a negative parameter makes the loss NaN.
model numerics {
  input x : f32[3]
  param p : f32[3] = [1, -1, 2]
  output y = x * p
  loss mean(log(p) + x)
  optimizer adam(lr = 0.1)
}
