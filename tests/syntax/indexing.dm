# syntax errors inside an index: one error per statement
model m {
  input x : f32[4, 3]
  a = x[]
  b = x[1:2:3:4]
  c = x[0 1]
  d = f32[...]
  output y = x[..., 0]
}
