# examples/baremetal/patterns.dm: the model the bare-metal demo trains on a
# Cortex-M4F (main.c): 8 x 8 images of four patterns (docs/targets.md,
# "Training on a microcontroller").  Dense's W is Xavier-uniform, so the
# initial parameters are integer arithmetic: the same on every machine.
# Plain SGD (no momentum buffer), compiled with --in-place-update (no
# gradient tensors): the smallest training footprint; lr 0.5 trains it as
# well as lr 0.05 with momentum 0.9 did, in the same 320 steps.
model patterns {
  const batch = 16
  input x : f32[batch, 64]         # 8 x 8 pixels in [0, 1]
  input y : i32[batch]             # 0 bar, 1 column, 2 diagonal, 3 frame
  h1 = relu(Dense(x, 64))
  h2 = relu(Dense(h1, 32))
  logits = Dense(h2, 4)
  output probs = softmax(logits)
  loss softmax_cross_entropy(logits, y)
  optimizer sgd(lr = 0.5)
}
