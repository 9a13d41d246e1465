# zeros / ones / full: a shape of positive whole numbers, a number to fill.
model m {
  input x : f32[4, 3]
  a = x + zeros(x)
  b = x + ones([4, 0])
  c = x + full([4, 3], x)
  d = x + zeros([4, 2.5])
  e = x + ones([1048576, 1048576, 2])
  f = x + full([4, 3])
  g = x + zeros(4, 3)
  output y = x + zeros([4, 4])
}
