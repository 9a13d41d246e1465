# f32(...) and i32(...) convert a tensor or a number
model m {
  input x : f32[4]
  a = i32(1e10)
  b = f32(true)
  c = f32(x, 1)
  d = i32()
  e = float(x)
  f = int(x)
  output y = f32(i32(x)) + i32(2.9) + f32(3)
}
