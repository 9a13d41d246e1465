# An instance of this model needs 16 GiB for x (65536 * 65536 * 4 bytes) plus
# 1 GiB for W and 1 GiB for y: over the default --max-memory of 16 GiB.
model big {
  input x : f32[65536, 65536]
  param W : f32[65536, 4096]
  output y = x @ W
}
