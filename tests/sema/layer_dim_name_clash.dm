# the pattern binds I; the body may not bind it again
layer Proj(x : f32[N, I], units) {
  I = units * 2
  return x
}
model m {
  input x : f32[2, 3]
  output y = Proj(x, 4)
}
