model m {
  input ids : i32[2, 2, 2, 2, 2]
  param E : f32[10, 3, 3, 3, 3]
  output y = embedding(E, ids)
}
