# The prelude's Embedding: a number of rows that is not a positive integer,
# ids that are not i32.
model m {
  input ids : i32[4]
  input x : f32[4]
  a = Embedding(ids, 0, 3)
  b = Embedding(x, 5, 3)
  output y = a
}
