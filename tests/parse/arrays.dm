model arrays {
  param a : f32[2] = [0.1, 0.2]
  param b : f32[2, 2] = [[1, 2], [3, 4]]
  param c : f32[2, 2, 2] = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
  param d : f32[3] = [-1, -0.5, .5]
  param e : f32[3] = [1, 2, 3,]
  param f : f32[2, 3] = [
    [1, 2, 3],     # row 0
    [4, 5, 6],     # row 1
  ]
  r = reshape(x, [-1, 4])
  t = transpose(x, [1, 0])
  s = [a + b, f(1), [2]]
}
