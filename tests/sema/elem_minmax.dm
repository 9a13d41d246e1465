# minimum, maximum: two tensors or numbers of one dtype whose shapes broadcast
model m {
  input x : f32[4]
  input k : i32[4]
  a = minimum(x, k)
  b = minimum(x)
  c = maximum(x, [1, 2, 3])
  d = maximum(x, true)
  e = fmax(x, 1)
  output y = minimum(x, 1) + f32(maximum(k, 0) + minimum(2, 3))
}
