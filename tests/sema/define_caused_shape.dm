# a shape computed from a -D value, in a later statement: the note still comes
const hidden = 8
model m {
  input x : f32[4, 3]
  param W2 : f32[8, 2]
  h = relu(Dense(x, hidden))
  output y = h @ W2
}
