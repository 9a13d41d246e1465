# suggestions only when unambiguous and close for the name's length
model m {
  input x : f32[4, 3]
  fc1 = Dense(x, 3)
  fc2 = Dense(x, 3)
  a = fc3 + x
  b = tahn(x)
  c = sigmod(x)
  d = mx(x)
  output y = fc1 + fc2
}
