model m {
  input ids : f32[4]
  param E : f32[10, 3]
  output y = embedding(E, ids)
}
