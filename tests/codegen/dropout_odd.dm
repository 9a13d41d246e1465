# Dropout masks on odd sizes (the mask kernel's vector loop and its tail) at
# two sites; the generator's i32 step counter must advance exactly.
model dropout_odd {
  input x : f32[3, 33]
  input t : f32[3, 7]
  h = dropout(relu(Dense(x, 7)), 0.3)
  g = dropout(h, 0.7)
  output y = Dense(g, 7)
  loss mse(y, t)
  optimizer sgd(lr = 0.1)
}
