# examples/tinygpt: a character-level GPT (decoder-only transformer) trained
# on Debian's fortunes.  Pre-norm blocks as GPT-2: x + attention(LN(x)), then
# x + MLP(LN(x)); learned position embeddings; 96 characters (corpus.h).
const batch = 32
const T = 64            # context, in characters
const V = 96            # vocabulary
const D = 128           # width
const heads = 4
const blocks = 4

layer Block(x : f32[N, T, D], heads) {
  a = x + MultiHeadAttention(LayerNorm(x), heads, causal = true)
  return a + Dense(gelu(Dense(LayerNorm(a), 4 * D)), D)
}

model tinygpt {
  input ids : i32[batch, T]         # characters
  input next : i32[batch, T]        # each position's following character
  param pos : f32[T, D] = normal(0, 0.02)
  x = Embedding(ids, V, D) + pos
  for i in range(blocks) {
    x = Block(x, heads)
  }
  output logits = Dense(LayerNorm(x), V)
  loss softmax_cross_entropy(logits, next)
  optimizer adamw(lr = 0.001)
}
