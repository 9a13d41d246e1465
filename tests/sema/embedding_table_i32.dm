model m {
  input ids : i32[4]
  input t : i32[5, 2]
  output y = embedding(t, ids)
}
