# a -D value carried into a standard layer's parameter shape
model m {
  const units = 8
  const rate = 0.5
  input x : f32[4, 3]
  output y = dropout(Dense(x, units), rate)
}
