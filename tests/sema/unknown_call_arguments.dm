# an unknown function: one error, its arguments are not evaluated (the array
# literal of tensors would be a second, misleading error)
model m {
  input a : f32[8, 2]
  input b : f32[8, 2]
  output y = cat([a, b], dim = 1)
  output z = Dense2(relu([a]), 3)
}
