# CRLF line ends and no final newline
model crlf {
  input x : f32[2]
  output y = x * 2
}