# --max-memory=1K (in memory_cap_flag.flags): this model's tensors alone are
# 2 * 32 * 32 * 4 = 8 KiB.
model small {
  input x : f32[32, 32]
  output y = relu(x)
}
