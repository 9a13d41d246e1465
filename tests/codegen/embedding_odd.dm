# Embedding lookups at odd sizes (difftest, and tests/codegen/embedding.test.sh
# for ids out of range).  `tokens`: ids [3, 5] (repeats are likely among 15
# draws from 7 rows) into rows of 13 floats (a vector of 8, one of 4, one
# float), a table of rank 3 [11, 2, 3] by a scalar id and by a vector, the
# same table read twice (one gradient from two scatter-adds), and ids shared
# with the loss's labels (the fewest classes bound them: 7 rows, 7 classes).
model tokens {
  input ids : i32[3, 5]
  input pick : i32
  input pair : i32[2]
  input y : i32[3]
  param E : f32[7, 13] = normal(0, 1)
  param T : f32[11, 2, 3] = uniform(-1, 1)
  e = embedding(E, ids)                           # [3, 5, 13]
  pooled = mean(e, axis = 1)                      # [3, 13]
  one = embedding(T, pick)                        # [2, 3]
  two = embedding(T, pair)                        # [2, 2, 3]
  extra = sum(one) + sum(two * two)
  logits = Dense(pooled, 7)
  output p = softmax(logits)
  output rows = e
  loss softmax_cross_entropy(logits, y) + 0.1 * extra
  optimizer adam(lr = 0.05)
}

# Computed ids (i32 arithmetic): checked just before the gather reads them;
# a computed table (its gradient flows on through tanh).
model shifted_ids {
  input ids : i32[4]
  input x : f32[4, 6]
  param E : f32[9, 6] = normal(0, 1)
  e = embedding(tanh(E) * 2, ids * 2 + 1)
  loss mse(e, x)
  optimizer sgd(lr = 0.1)
}

# Wide rows over many ids: the kernels split their work over threads.
model wide {
  input ids : i32[40, 33]
  input x : f32[40, 33, 257]
  param E : f32[300, 257] = normal(0, 1)
  e = Embedding(ids, 300, 257)
  loss mse(e + embedding(E, ids), x)
  optimizer sgd(lr = 0.1)
}
