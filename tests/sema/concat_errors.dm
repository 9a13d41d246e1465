# Every error of concat and stack: shapes that differ off the axis (both
# shapes shown), ranks and dtypes that differ, stack of unequal shapes, an
# axis out of range, a list of numbers, not a list, a missing list.
model m {
  input x : f32[4, 3]
  input y : f32[5, 2]
  input z : f32[4]
  input n : i32[4, 3]
  a = concat([x, y])
  b = concat([x, z], axis = 1)
  c = concat([x, n])
  d = stack([x, x[:, :2]])
  e = concat([x, x], axis = 2)
  f = stack([x, x], axis = -4)
  g = concat([1, 2])
  h = concat(x)
  i = concat(axis = 0)
  output o = concat([x, x, x], axis = -1) + stack([z, z], axis = -1)[:, :1]
}
