# PyTorch's F.embedding(input, weight) takes the ids first; dm's takes the table first.
model m {
  input ids : i32[4]
  param E : f32[10, 3]
  output y = embedding(ids, E)
}
