# A transformer encoder for classification: token and position embeddings,
# one pre-norm encoder block (non-causal MultiHeadAttention, a gelu MLP,
# residual adds), a final LayerNorm, mean pooling over the sequence and a
# linear classifier.  Vocabulary 31, width 12, 3 heads, 7 tokens, batch 2.
const vocab = 31
const width = 12

layer EncoderBlock(x : f32[N, T, D], heads, hidden = 4 * D) {
  a = x + MultiHeadAttention(LayerNorm(x), heads)
  return a + Dense(gelu(Dense(LayerNorm(a), hidden)), D)
}

model u_encoder {
  input ids : i32[2, 7]
  input y : i32[2]
  tok = Embedding(ids, vocab, width)
  param pos : f32[7, width] = normal(0, 0.02)
  h = EncoderBlock(tok + pos, 3)
  pooled = mean(LayerNorm(h), axis = 1)          # [2, 12]
  logits = Dense(pooled, 5)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.05, momentum = 0.8, dampening = 0.1)   # not adam: the key bias's gradient is 0 up to rounding (see mha.dm)
}
