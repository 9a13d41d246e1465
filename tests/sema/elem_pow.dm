# pow and '**' need a constant exponent and an f32 base
model m {
  input x : f32[4]
  input k : i32[4]
  a = x ** x
  b = pow(x)
  c = pow(k, 2)
  d = k ** 2
  e = pow(x, 2, 3)
  f = 2 ** x
  const g = (-8) ** 0.5
  output y = x ** 2
}
