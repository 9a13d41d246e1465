# zeros(shape), ones(shape), full(shape, value): const nodes of that shape;
# a number is a vector's length, and zeros(shape(x)) is zeros_like.
model m {
  input x : f32[2, 3]
  output y = x * ones([2, 3]) + zeros(shape(x)) + full([3], -1.5) + zeros(3)
}
