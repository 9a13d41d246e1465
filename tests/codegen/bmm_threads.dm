# Batched products big enough to be split over threads (difftest.test.sh runs
# it with 3): 8 products of [33, 65] @ [65, 129] shared out whole, 5 products
# of [100, 130] @ [130, 100] (too few to share evenly: each one split), and
# a [8, 33, 129] batch against one [129, 65] weight (one GEMM over 264 rows,
# with bias and relu as its epilogue).  The gradients are batched too.
model bmm_threads {
  input x : f32[8, 33, 129]
  param A : f32[8, 33, 65] = normal(std = 0.2)
  param B : f32[8, 65, 129] = normal(std = 0.2)
  param C : f32[5, 100, 130] = normal(std = 0.2)
  param D : f32[5, 130, 100] = normal(std = 0.2)
  param W : f32[129, 65] = xavier
  param b : f32[65] = normal(std = 0.1)
  h = relu(x @ W + b)
  output y = A @ B
  z = C @ D
  loss mean(y * y) + mean(z * z) + mean(h * h)
  optimizer sgd(lr = 0.1)
}
