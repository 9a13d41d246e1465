# Sequences: one causal self-attention head over T = 5 steps (the scores
# plus causal_mask(5), so each step attends to itself and the steps before),
# and softmax_cross_entropy over [N, T, K] logits with padding labelled -100
# (ignore = -100: those positions count for nothing, the mean is over the
# others), over rank-2 logits whose class 0 is ignored, and over rank-4
# logits without an ignored label.
model seq {
  input x : f32[5, 4]               # one sequence: 5 steps, 4 features
  input y1 : i32[5]                 # its labels; 0 is ignored
  input x2 : f32[3, 4, 5]           # N = 3 sequences of T = 4 steps
  input y2 : i32[3, 4]              # -100 at the padding
  input y4 : i32[3, 2, 2]
  param Wq : f32[4, 4]
  param Wk : f32[4, 4]
  param Wv : f32[4, 4]
  param Wo : f32[4, 6]
  param Wc : f32[5, 6]
  scores = (x @ Wq) @ transpose(x @ Wk) * 0.5 + causal_mask(5)
  output att = softmax(scores)
  logits1 = (att @ (x @ Wv)) @ Wo
  logits2 = reshape(reshape(x2, [12, 5]) @ Wc, [3, 4, 6])
  l1 = softmax_cross_entropy(logits1, y1, ignore = 0)
  l2 = softmax_cross_entropy(logits2, y2, ignore = -100)
  l4 = softmax_cross_entropy(reshape(logits2, [3, 2, 2, 6]), y4)
  output l2
  loss l1 + l2 + l4 * 0.5
  optimizer adam(lr = 0.01)
}
