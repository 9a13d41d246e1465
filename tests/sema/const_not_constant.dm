model m {
  input x : f32[4]
  const k = x * 2
  output y = x * k
}
