# Embedding ids out of range (tests/codegen/embedding.test.sh, and difftest
# like every tests/codegen model).  `lookup` reads its ids in the forward and
# the training entries; `shifted` computes its ids (ids - 1).
model lookup {
  input ids : i32[2, 3]
  input x : f32[2, 3, 2]
  param E : f32[4, 2] = [[1, 2], [3, 4], [5, 6], [7, 8]]
  output rows = embedding(E, ids)
  loss mse(rows, x)
  optimizer sgd(lr = 0.5)
}

model shifted {
  input ids : i32[3]
  param E : f32[4, 2] = [[1, 2], [3, 4], [5, 6], [7, 8]]
  loss sum(embedding(E, ids - 1))
  optimizer sgd(lr = 0.5)
}
