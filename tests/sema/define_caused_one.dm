# only the -D values the bad value came from get a note (rate, not units)
model m {
  const units = 8
  const rate = 0.5
  input x : f32[4, 3]
  output y = dropout(Dense(x, units), rate)
}
