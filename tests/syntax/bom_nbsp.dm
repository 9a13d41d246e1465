model m {
  x = 1
  y = 2 é
}
