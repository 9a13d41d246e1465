# Indexing, slicing, concat and stack at odd sizes, compiled against the
# interpreter in every entry: strided and clamped slices, negative indices,
# an ellipsis, slices that feed elementwise loops and matmuls, i32 slices,
# a concat of more operands than a node holds (a tree of concats), and
# contiguous slices (views at offsets that are not multiples of 64 bytes)
# feeding a matmul, a reduction and loops.
model index_odd {
  input x : f32[7, 13, 5]
  input ids : i32[9, 3]
  param W : f32[11, 6] = uniform(-1, 1)
  param V : f32[13, 5] = uniform(-1, 1)
  a = x[1:, 2:-1:3, ::2]               # [6, 4, 3]
  b = x[..., -1]                       # [7, 13]
  c = x[-2]                            # [13, 5]
  d = W[1:100, :-1]                    # [10, 5]: the stop clamps
  e = concat([c * V, V[::2], d], axis = 0)           # [30, 5]
  f = stack([b, b[:, ::-1 + 2] * 2, x[:, :, 0]], axis = -1)   # [7, 13, 3]
  many = concat([V[0:1], V[1:2], V[2:3], V[3:4], V[4:5], V[5:6], V[6:7], V[7:8], V[8:9], V[9:13]], axis = 0)
  output ia = ids[2:, 1]
  output h = sum(a, axis = 1) @ transpose(W[4:7, 1:4])
  output o = e[3:15] * many[1:, 0:1][::1, :]
  output p = f + 1
  output v = x[3] @ W[5:10] + sum(x[1:3], axis = 0)[:, :1] * W[-1]
  loss mean(e * e) + sum(tanh(f[..., 1:]) * 0.5) + mean(many[:, 2:] * V[:, 1:4]) + sum(W[-1])
  optimizer adam(lr = 0.01)
}
