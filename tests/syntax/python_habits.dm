# Python / PyTorch habits: a method call, an attribute, a module prefix
# ('.' is not in dm) and a tuple where dm writes a list.  Each line gets one
# error (the parser resynchronises at the end of the line).
model m {
  input x : f32[2, 3]
  a = x.sum()
  b = x.T
  c = torch.relu(x)
  d = mean(x, axis = (0, 1))
  e = reshape(x, (3, 2))
  output y = x
}
