# the batch axes (those before the last two) broadcast: 2 against 3 do not
model m {
  input q : f32[2, 3, 4]
  input k : f32[3, 4, 5]
  output s = q @ k
}
