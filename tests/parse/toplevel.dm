# Several declarations, and the layout they may take.
const hidden = 32
const rate = 1e-3

layer Block(x : f32[B, I], units) {
  h = relu(Dense(x, units))
  return h
}

layer Identity() { return 1 }

layer Scale(x, factor = 2.0,) {
  return x * factor
}

model one { output y = Block(x, hidden) }
model two
{
  input x : f32[1, 4]
  output y = Scale(x, factor = rate)
}


model empty {
}
model empty2 {}
