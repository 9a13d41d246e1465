# Every error of indexing: out of range (both ends), too many indices, two
# ellipses, step 0 and negative, an empty slice, a bound that is not a
# constant, a non-integer index, indexing a number, an index by a tensor.
model m {
  const k = 2
  input x : f32[4, 3]
  input ids : i32[2]
  a = x[4]
  b = x[0, -4]
  c = x[0, 1, 2]
  d = x[..., 0, ...]
  e = x[::0]
  f = x[:, ::-1]
  g = x[3:1]
  h = x[:, ids[0]:]
  i = x[1.5]
  j = k[0]
  l = x[ids]
  m = x[0, 0][0]                    # one index too many: "1 index"
  output y = x[k:, -k]
}
