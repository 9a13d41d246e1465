# Two dropout sites (salts 0 and 1) between Dense layers; sgd with momentum.
# The reference draws the same masks from dmc's documented generator
# (compiler/cg/kernels/random.h) and the {key, step} state dmrun records before
# each update; the forward entry must be the identity.
model dropout {
  input x : f32[8, 6]
  input t : f32[8, 3]
  h = dropout(tanh(Dense(x, 16)), 0.5)
  h2 = dropout(relu(Dense(h, 8)), 0.25)
  out = Dense(h2, 3)
  output out
  loss mse(out, t)
  optimizer sgd(lr = 0.1, momentum = 0.9)
}
