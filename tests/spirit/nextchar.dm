# A tiny next-character model: the last 3 characters of each of 16 contexts
# (ids into an alphabet of 27) become learned vectors of 10, joined and
# passed through a hidden layer to the logits of the next character (a
# Bengio-style MLP language model).  A user layer wraps the lookup.
const alphabet = 27
const context = 3

layer Context(chars : i32[N, C], dim) {
  e = Embedding(chars, alphabet, dim)            # [N, C, dim]
  return reshape(e, [N, C * dim])
}

model nextchar {
  input chars : i32[16, context]
  input next : i32[16]
  h = tanh(Dense(Context(chars, 10), 32))
  logits = Dense(h, alphabet)
  output p = softmax(logits)
  loss softmax_cross_entropy(logits, next)
  optimizer adamw(lr = 0.01)
}
