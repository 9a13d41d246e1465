# stack_buffers.dm: products and a convolution whose kernels size stack
# arrays by the shapes (compiler/cg/kernels/kernel_stack.h), for
# tests/cli/stack_buffers.test.sh, which works out each one's bytes by hand.
model tiny {
  input a : f32[4, 2]
  input b : f32[2, 3]
  output y = a @ b
}

model big {
  input a : f32[256, 512]
  input b : f32[512, 1024]
  output y = a @ b
}

model mid {
  input a : f32[20, 300]
  input b : f32[300, 40]
  output y = a @ b
}

model copyb {
  input a : f32[32, 64]
  input b : f32[64, 40]
  output y = a @ b
}

model strided {
  input x : f32[1, 3, 32, 32]
  input w : f32[8, 3, 3, 3]
  output y = conv2d(x, w, stride = 2, pad = 1)
}
