# Errors found inside the standard layers (Dense, Conv2d: dmc's prelude) are
# reported at the user's argument -- or at the call when no single argument
# is to blame -- with the prelude's line as a note.
model m {
  input x : f32[2, 3, 8, 8]
  input v : f32[2, 5]
  input k : i32[2, 5]
  c0 = Conv2d(x, 0, kernel = 3)
  c1 = Conv2d(x, 4, kernel = 30)
  c2 = Conv2d(x, 4, kernel = 3, stride = 0)
  c4 = Conv2d(x, 4, kernel = 3, pad = -1)
  c5 = Conv2d(v, 4, kernel = 3)
  c6 = Conv2d(x, 4, kernel = 2.5)
  d0 = Dense(v, 2.5)
  d1 = Dense(v, 3, bias = 3)
  d2 = Dense(k, 3)
  d3 = Dense(x, 3)
  d4 = Dense(v, [1, 2])
  output o = Dense(v, 2)
}
