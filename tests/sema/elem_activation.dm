# gelu, silu, square: f32 tensors (square also i32), gelu's approximate a bool
model m {
  input x : f32[4]
  input k : i32[4]
  a = gelu(x, approximate = 1)
  b = gelu(k)
  c = silu()
  d = square(x, 2)
  f = silu(true)
  output y = square(k) + x
}
