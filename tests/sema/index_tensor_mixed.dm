# A tensor index takes rows (a gather) and must be the only subscript.
model m {
  input ids : i32[2]
  param E : f32[5, 4]
  output rows = E[ids][:, 0]
  output o = E[ids, 0]
}
