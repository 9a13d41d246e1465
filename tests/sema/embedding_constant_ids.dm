# Constant ids are checked when the model compiles.
model m {
  param E : f32[5, 3]
  output a = embedding(E, [0, 4, 2])
  output b = embedding(E, [[1, 2], [5, 0]])
  output c = embedding(E, -1)
  output d = embedding(E, 1.5)
}
