# ... is a pattern of a layer argument only
model m {
  input x : f32[..., 3]
  output y = Dense(x, 2)
}
