model m {
  input ids : i32[4]
  param s : f32 = 1
  output y = embedding(s, ids)
}
