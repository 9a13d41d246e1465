model m {
  input x f32[4]
  param W : = 1
}
