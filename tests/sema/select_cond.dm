model m {
  input x : f32[4]
  output a = select(1, x, -x)
  output b = select(true, x)
}
