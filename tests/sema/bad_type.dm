# a bool where a number is expected
model m {
  input x : f32[4, 3]
  output y = x * true
}
