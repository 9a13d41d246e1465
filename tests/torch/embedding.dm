# Embedding lookups trained with adam: the prelude's Embedding (20 token ids
# drawn from 7 rows, so ids repeat and their gradients sum), a position table
# read by constant ids, and a table of rank 3 indexed by a scalar id (an input),
# scale[which], the same gather as embedding(scale, which).
model embedding {
  input ids : i32[4, 5]
  input which : i32
  input y : i32[4]
  tok = Embedding(ids, 7, 6)                     # tok.W : f32[7, 6]
  param pos : f32[5, 6] = normal(0, 0.1)
  param scale : f32[3, 2, 6] = uniform(0.5, 1.5)
  h = (tok + embedding(pos, [0, 1, 2, 3, 4])) * reshape(sum(scale[which], axis = 0), [1, 1, 6])
  logits = Dense(tanh(Dense(flatten(h), 8)), 3)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer adam(lr = 0.01)
}
