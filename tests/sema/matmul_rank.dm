# '@' needs tensors of rank 1 or more on both sides (a scalar has no matrix)
model m {
  input x : f32[2, 3, 4]
  input s : f32
  output h = x @ s
}
