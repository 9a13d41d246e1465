# bounds from -D values: an index out of range and an empty slice say which
# -D value made them so
model m {
  const row = 1
  const width = 2
  input x : f32[4, 3]
  output y = x[row]
  output z = x[:, width:width + 1]
}
