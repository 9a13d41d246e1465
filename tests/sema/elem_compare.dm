# comparisons: numbers or tensors of one dtype whose shapes broadcast
model m {
  input x : f32[4]
  input z : f32[3]
  input k : i32[4]
  a = x < k
  b = x == true
  c = x > z
  d = (x > 0) + true
  e = [1, 2] < x
  output y = select(2 > 1, x, z) * (k >= 1) * (k * 2 != 2)
}
