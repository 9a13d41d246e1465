# '**' is not dm's: one error, and the statement still parses (as '*')
model m {
  input x : f32[4]
  output y = x ** 2 + 1
  output z = x * x
}
