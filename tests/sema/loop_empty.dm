const n = 3
model m {
  input x : f32[2, 3]
  h = x
  for i in range(n, 3) {
    h = h * 2
  }
  for j in range(0, 4, 0) {
    h = h * 2
  }
  for k in range(5, 1) {
    h = h * 2
  }
  for k in steps(5) {
    h = h * 2
  }
  for k in range(1.5) {
    h = h * 2
  }
  output y = h
}
