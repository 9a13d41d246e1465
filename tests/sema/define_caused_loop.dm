# -D steps=1 makes the loop's range empty: the error notes the const the
# command line set.
model m {
  const steps = 5
  input x : f32[2, 4]
  h = x
  for t in range(1, steps) {
    h = h * 2
  }
  output y = h
}
