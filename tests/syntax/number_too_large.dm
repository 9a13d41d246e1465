model m {
  output y = 1e999
  output z = 2 +
