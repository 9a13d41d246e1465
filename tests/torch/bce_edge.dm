# bce at and near probabilities 0 and 1: PyTorch clamps each log at -100 and
# divides its gradient by max(p (1 - p), 1e-12).  Gradients only (UPDATES = 0
# in bce_edge.py): an update would leave [0, 1].
model bce_edge {
  input t : f32[8]
  param p : f32[8]
  loss bce(p, t)
  optimizer sgd(lr = 0.1)
}
