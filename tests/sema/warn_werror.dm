# -Werror: the warnings are errors (exit 1), but -Wno-error=unused-binding keeps those warnings
model m {
  input x : f32[4, 3]
  input z : f32[4, 3]
  input q : f32[4, 3]
  param W : f32[3, 2] = xavier
  param V : f32[3, 2]
  param S : f32[2]
  h = relu(x)
  dead = q * 2
  g = Dense(z, 5)
  output y = select(false, x @ W + S, x @ W)
}
