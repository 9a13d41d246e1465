# where(cond, a, b): a mask (or a constant bool), f32 branches, shapes that broadcast
model m {
  input x : f32[4]
  input z : f32[3]
  input k : i32[4]
  a = where(x > 0, x)
  b = where(1, x, x)
  c = where(x > 0, k, x)
  d = where(x > 0, x, z)
  e = where(x > 0, x, [1, 2])
  f = where(x > 0, x, other = x)
  output y = where(k, x, 0) + where(true, x, z)
}
