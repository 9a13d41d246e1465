# batched: the inner dimensions must agree (4 against 7), vectors included
model m {
  input q : f32[2, 3, 4]
  input k : f32[2, 7, 5]
  input v : f32[7]
  output s = q @ k
  output t = v @ q
}
