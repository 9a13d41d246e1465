# an error caused by a -D value: a note at the const it set
model m {
  const batch = 64
  input x : f32[batch, 4]
  output y = relu(x)
}
