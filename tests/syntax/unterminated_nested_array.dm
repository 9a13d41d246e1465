model m {
  input x : f32[2]
  y = [[1, 2], [3, 4]
}
