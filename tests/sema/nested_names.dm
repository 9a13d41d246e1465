# Parameter names of nested layers (docs/language.md "Parameter names"):
# the first unnamed Block is block_0; inside it, `h = Dense(...)` is the whole
# right-hand side so it is block_0.h; the two unnamed Dense calls in the
# return are numbered arguments first: the inner one (2 units) dense_0,
# the outer one dense_1; Block's own param is block_0.scale.
layer Block(x : f32[N, I], width = 4) {
  param scale : f32 = 1
  h = Dense(x, width)
  return Dense(relu(Dense(h, 2)), width) * scale
}
model nest {
  const batch = 2
  input x : f32[batch, 3]
  a = relu(Block(x))
  named = Block(a, width = 5)
  output y = Block(named) + 1
}
